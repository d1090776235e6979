from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import login_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", login_views.verify, name="verify"),
    path("account/two-step/", login_views.two_factor, name="two_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("officer/", views.officer_home, name="officer_home"),
    path("supervisor/", views.supervisor_home, name="supervisor_home"),
    path("handler/", views.handler_home, name="handler_home"),
    path("assessor/", views.assessor_home, name="assessor_home"),
]
