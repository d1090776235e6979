/* The public complaint form: search the category list, follow a nearby report, and make large
 * photos smaller on the phone before they are sent (the server checks every photo again).
 */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;

  // --- category search: rebuild the <select> from the matching options ----------------------
  var select = form.querySelector("#id_category");
  var search = document.getElementById("category-search");
  var searchStatus = document.getElementById("category-search-status");
  if (select && search) {
    var original = Array.prototype.map.call(select.children, function (n) { return n.cloneNode(true); });
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      var chosen = select.value;
      select.innerHTML = "";
      var matches = [];
      original.forEach(function (node) {
        if (node.tagName === "OPTION") {  // the empty "choose" option always stays
          select.appendChild(node.cloneNode(true));
          return;
        }
        var group = node.cloneNode(false);
        Array.prototype.forEach.call(node.children, function (option) {
          var text = (node.label + " " + option.textContent).toLowerCase();
          if (!words || text.indexOf(words) !== -1) {
            group.appendChild(option.cloneNode(true));
            matches.push(option.value);
          }
        });
        if (group.children.length) select.appendChild(group);
      });
      if (matches.indexOf(chosen) !== -1) {
        select.value = chosen;
      } else if (matches.length === 1) {
        select.value = matches[0];
        select.dispatchEvent(new Event("change", { bubbles: true }));
      } else {
        select.value = "";
      }
      if (searchStatus) searchStatus.textContent = words && !matches.length ? search.dataset.noMatch : "";
    });
  }

  // --- "is it one of these?": the chosen report goes into the hidden follows field ------------
  var follows = form.querySelector("#id_follows");
  form.addEventListener("change", function (event) {
    if (follows && event.target.hasAttribute("data-follows")) follows.value = event.target.value;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // A new list (other point or kind) offers other reports: forget a choice no longer shown.
    if (!follows || event.target.id !== "nearby") return;
    var checked = event.target.querySelector("[data-follows]:checked");
    follows.value = checked ? checked.value : "";
  });

  // --- photos: at most 3, each at most 2048 px on its longer side -----------------------------
  var input = form.querySelector("input[type=file][data-max-side]");
  var photoStatus = document.getElementById("photos-status");
  var submit = form.querySelector("button[type=submit]");
  function shrink(file, maxSide) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.HTMLCanvasElement) {
        resolve(file);  // not ours to touch: the server says what is wrong with it
        return;
      }
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () {
        URL.revokeObjectURL(url);
        var scale = Math.min(1, maxSide / Math.max(image.naturalWidth, image.naturalHeight));
        if (scale === 1 && file.size <= 2 * 1024 * 1024) { resolve(file); return; }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(image.naturalWidth * scale);
        canvas.height = Math.round(image.naturalHeight * scale);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", 0.85);
      };
      image.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      image.src = url;
    });
  }
  if (input && window.DataTransfer && window.Promise) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      var max = parseInt(input.dataset.maxFiles, 10) || 3;
      if (files.length > max) {
        photoStatus.textContent = input.dataset.tooMany;
        input.value = "";
        return;
      }
      photoStatus.textContent = files.length ? input.dataset.shrinking : "";
      submit.disabled = true;
      var side = parseInt(input.dataset.maxSide, 10) || 2048;
      Promise.all(files.map(function (f) { return shrink(f, side); })).then(function (ready) {
        var transfer = new DataTransfer();
        ready.forEach(function (f) { transfer.items.add(f); });
        input.files = transfer.files;
        photoStatus.textContent = "";
        submit.disabled = false;
      });
    });
  }
  form.dataset.ready = "1";  // for tests: the handlers above are in place
})();
