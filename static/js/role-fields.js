// Invite and access forms: once a role is chosen, only its own field shows (the schools for
// a counsellor, the municipality for a council member). Without scripts every field shows,
// each label saying whom it is for; the server ignores the fields another role does not use.
document.querySelectorAll("form select[name=role]").forEach(function (select) {
  var parts = select.form.querySelectorAll("[data-for-role]");
  function update() {
    parts.forEach(function (part) {
      part.hidden = select.value !== "" && part.dataset.forRole !== select.value;
    });
  }
  select.addEventListener("change", update);
  update();
});

// A long list of schools: a search box keeps the schools whose name (or municipality) holds
// what is typed, and every ticked one, so that a tick is never hidden away.
document.querySelectorAll("[data-school-filter]").forEach(function (box) {
  var input = box.querySelector("input");
  var items = box.parentNode.querySelectorAll("fieldset .form-check");
  box.hidden = false;
  input.addEventListener("input", function () {
    var wanted = input.value.trim().toLocaleLowerCase("sv");
    items.forEach(function (item) {
      var tick = item.querySelector("input");
      item.hidden = wanted !== "" && !tick.checked &&
        item.textContent.toLocaleLowerCase("sv").indexOf(wanted) === -1;
    });
  });
});
