/* The big screen (command/views.py: big_screen): polls screen_data every pollSeconds and
 * redraws the figures, the 721 pie, the brigades' ranking and the latest reports; the map
 * (command-map.js) refreshes with it. No reload: a wall display stays on for days. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("screen-config").textContent);
  var words = document.getElementById("screen-strings").dataset;
  var mapConfig = Object.assign({}, config, { dataUrl: config.mapUrl });
  var cityMap = window.CommandMap.create(document.getElementById("screen-map"), mapConfig);
  var split = echarts.init(document.getElementById("screen-split"), "dark");
  var ranking = echarts.init(document.getElementById("screen-ranking-chart"), "dark");

  function setText(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }

  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value;
    row.appendChild(td);
  }

  function percent(value) {
    return value === null || value === undefined ? "–" : value + "%";
  }

  function draw(data) {
    var today = data.today;
    ["found", "fixed_on_site", "residents", "hotline", "overdue"].forEach(function (name) {
      setText("fig-" + name, String(today[name]));
    });
    setText("fig-satisfaction", percent(today.satisfaction));
    setText("screen-clock", data.at);

    // Nothing handled yet this month: say so rather than draw three equal slices of nothing.
    var handled = data.split.reduce(function (sum, s) { return sum + s.n; }, 0);
    var splitBox = document.getElementById("screen-split");
    split.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "item" },
      title: { show: handled === 0, text: splitBox.dataset.empty || "", left: "center",
        top: "middle", textStyle: { color: "#9fb0c8", fontSize: 16, fontWeight: "normal" } },
      series: [{ type: "pie", radius: ["40%", "70%"],
        data: handled === 0 ? [] : data.split.map(function (s) { return { name: s.label, value: s.n }; }),
        label: { formatter: "{b}\n{c} ({d}%)", color: "#dbe4f0" } }],
    });

    var ranked = data.ranking.slice(0, 10);
    ranking.setOption({
      backgroundColor: "transparent",
      grid: { left: 150, right: 30, top: 10, bottom: 20 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", inverse: true,
        data: ranked.map(function (r) { return r.brigade; }) },
      series: [{ type: "bar", name: words.onTime, data: ranked.map(function (r) { return r.on_time || 0; }),
        itemStyle: { color: "#4fd1ff" } }],
    });

    var body = document.getElementById("screen-ranking");
    body.replaceChildren();
    data.ranking.forEach(function (r) {
      var row = document.createElement("tr");
      cell(row, String(r.rank));
      cell(row, r.brigade);
      cell(row, percent(r.on_time));
      cell(row, String(r.closed));
      body.appendChild(row);
    });

    var latest = document.getElementById("screen-latest");
    latest.replaceChildren();
    if (!data.latest.length) {
      var none = document.createElement("li");
      none.textContent = words.none;
      latest.appendChild(none);
    }
    data.latest.forEach(function (t) {
      var li = document.createElement("li");
      li.dataset.number = t.number;
      var num = document.createElement("span");
      num.className = "num";
      num.textContent = t.number;
      li.appendChild(num);
      li.appendChild(document.createTextNode(" " + t.at + " · " + t.source + " · " +
        t.category + " · " + t.community));
      latest.appendChild(li);
    });
  }

  function poll() {
    fetch(config.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(draw)
      .catch(function () { /* the next poll tries again */ })
      .finally(function () {
        setTimeout(function () { poll(); cityMap.refresh(); }, config.pollSeconds * 1000);
      });
  }

  poll();
})();
