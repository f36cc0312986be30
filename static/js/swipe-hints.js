// "Swipe the table sideways" is said on a phone above a table that may be wider than the
// screen (templates/_swipe_hint.html). Where the table fits, the hint is hidden again, and
// shown when a turn of the phone makes the table too wide. Without scripts it always shows.
document.querySelectorAll(".swipe-hint").forEach(function (hint) {
  var box = hint.nextElementSibling;
  if (!box || !box.classList.contains("table-responsive")) {
    return;
  }
  function update() {
    hint.hidden = box.scrollWidth <= box.clientWidth + 1;
  }
  update();
  if (window.ResizeObserver) {
    new ResizeObserver(update).observe(box);
  }
});
