from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import login_views

app_name = "accounts"
urlpatterns = [
    path("login/", login_views.LoginView.as_view(), name="login"),
    path("login/verify/", login_views.verify, name="verify"),
    path("account/two-step/", login_views.two_factor, name="two_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
