/**
 * Drag and drop onto the .eml field, as progressive enhancement: an external script (the CSP allows
 * no inline script) that hands a dropped file to the form's own file input. Without it, the file
 * input works as it is.
 */
export const DROP_SCRIPT = `'use strict';
document.querySelectorAll('form.upload').forEach(function (form) {
  var input = form.querySelector('input[type=file]');
  var zone = form.querySelector('.drop');
  var hint = form.querySelector('.drop-hint');
  if (!input || !zone || typeof DataTransfer === 'undefined') return;
  if (hint) hint.hidden = false;
  zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
  zone.addEventListener('drop', function (e) {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length > 0) input.files = e.dataTransfer.files;
  });
});
`;
