// The sandbox console's page script: draws the repository list, the create form and a
// repository's details into <main>, and talks to the sandbox through /console/api/ only.
// Plain browser JavaScript on purpose (no build step, works offline). Every word it shows comes
// from the page's data block (messages.ts); every value is put in with textContent, never as HTML.

import { fmt, h, plural, timeEl } from './dom.js';

const data = JSON.parse(document.getElementById('console-data').textContent);
const T = data.text;
const NAME_RE = new RegExp(`^(?:${data.repositoryNamePattern})$`);
const main = document.getElementById('main');
const flashbar = document.getElementById('flash');

// ------------------------------------------------------------------ small helpers

let idCounter = 0;
const uid = (prefix) => `${prefix}-${++idCounter}`;

/** `/console/api/repositories/<name>/…`: a repository name is one path segment (it may hold `/`). */
const repoApi = (name, ...rest) => ['/console/api/repositories', encodeURIComponent(name), ...rest].join('/');
const repoPage = (name) => `/repositories/${name.split('/').map(encodeURIComponent).join('/')}`;

/** An error the API answered with: its `__type` and `message`, as ECR sends them. */
class ApiError extends Error {
  constructor(type, message, status) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

/** Calls a console endpoint; throws ApiError with the API's own code and message on failure. */
async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError('', T.networkError, 0);
  }
  let json;
  try {
    json = await res.json();
  } catch {
    json = {};
  }
  if (!res.ok) throw new ApiError(json.__type || `HTTP ${res.status}`, json.message || T.errorTitle, res.status);
  return json;
}

/** Bytes as the console's "Size (MB)" column shows them: MiB, two decimals. */
const sizeMb = (bytes) => (bytes / (1024 * 1024)).toFixed(2);

const mutabilityText = (value) => T.mutabilityValues[value] ?? value;
const encryptionText = (value) => T.encryptionValues[value] ?? value;
const onOff = (value) => (value ? T.enabled : T.disabled);

/** A button that copies `text`, saying so (visibly and to screen readers). */
function copyButton(text, label) {
  const status = h('span', { className: 'copy-status', role: 'status' });
  const button = h(
    'button',
    {
      type: 'button',
      className: 'btn btn-icon',
      'aria-label': label,
      title: label,
      onclick: async () => {
        let ok = false;
        try {
          await navigator.clipboard.writeText(text);
          ok = true;
        } catch {
          ok = legacyCopy(text);
        }
        status.textContent = ok ? T.copied : T.copyFailed;
        setTimeout(() => (status.textContent = ''), 2500);
      },
    },
    T.copy,
  );
  return h('span', { className: 'copy' }, button, status);
}

/** Clipboard fallback for browsers that refuse navigator.clipboard here. */
function legacyCopy(text) {
  const area = h('textarea', { className: 'visually-hidden', readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

// ------------------------------------------------------------------ flash messages

let pendingFlash = [];

/** Shows a message at the top (success, or an error with the API's code). Replaces older ones. */
function flash(kind, title, detail) {
  flashbar.replaceChildren();
  const item = h(
    'div',
    { className: `flash flash-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('div', { className: 'flash-text' }, title ? h('div', { className: 'flash-title' }, title) : null, detail),
    h('button', { type: 'button', className: 'btn btn-flash-dismiss', 'aria-label': T.dismiss, title: T.dismiss, onclick: () => item.remove() }, '×'),
  );
  flashbar.append(item);
}

/** The API's error as the ECR console shows it: the exception name, then ECR's message. */
function errorDetail(error) {
  if (!(error instanceof ApiError)) return h('span', {}, String(error?.message ?? error));
  return h('span', { className: 'error-detail' }, error.type ? h('strong', { className: 'error-type' }, error.type) : null, error.type ? ': ' : '', h('span', { className: 'error-message' }, error.message));
}

function flashError(title, error) {
  flash('error', title, errorDetail(error));
}

/** Queues a message for the next view (after a navigation). */
function flashNext(kind, title, detail) {
  pendingFlash.push([kind, title, detail]);
}

// ------------------------------------------------------------------ routing

/** Counts views drawn; an answer that arrives after the learner moved on must not draw over the new view. */
let viewCounter = 0;

/** A check that stays true while the view that called it is still the one shown. */
function viewAlive() {
  const id = viewCounter;
  return () => id === viewCounter;
}

function route() {
  viewCounter += 1;
  flashbar.replaceChildren();
  for (const [kind, title, detail] of pendingFlash) flash(kind, title, detail);
  pendingFlash = [];
  closeDialogs();
  const path = location.pathname;
  if (path === '/' || path === '/repositories') return listView();
  if (path === '/create-repository') return createView();
  if (path.startsWith('/repositories/')) {
    let name;
    try {
      name = decodeURIComponent(path.slice('/repositories/'.length));
    } catch {
      return notFoundView();
    }
    return detailView(name.replace(/\/+$/, ''));
  }
  return notFoundView();
}

function navigate(path) {
  history.pushState({}, '', path);
  route();
  // Start keyboard and screen-reader users at the new view, unless the view chose a field already.
  if (!main.contains(document.activeElement)) main.focus();
}

// Links inside the page stay in the page; modified clicks open new tabs as usual.
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-nav]') : null;
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
});
window.addEventListener('popstate', route);

const navLink = (href, text, attrs = {}) => h('a', { href, 'data-nav': true, ...attrs }, text);

function breadcrumbs(...items) {
  const all = [[T.breadcrumbs.ecr, '/'], [T.breadcrumbs.privateRegistry, '/repositories'], ...items];
  return h(
    'nav',
    { 'aria-label': T.breadcrumbs.label, className: 'breadcrumbs' },
    h('ol', {}, all.map(([text, href], i) => h('li', {}, i === all.length - 1 ? h('span', { 'aria-current': 'page' }, text) : navLink(href, text)))),
  );
}

function show(...children) {
  main.replaceChildren(...children);
}

function closeDialogs() {
  for (const dialog of document.querySelectorAll('dialog')) {
    if (dialog.open) dialog.close();
    dialog.remove();
  }
}

function notFoundView() {
  document.title = T.documentTitle;
  show(h('h1', {}, T.notFoundPage), h('p', {}, navLink('/', T.backToRepositories)));
}

// ------------------------------------------------------------------ repositories

async function listView() {
  document.title = `${T.breadcrumbs.repositories} | ${T.documentTitle}`;
  const count = h('span', { className: 'count' });
  const filter = h('input', {
    type: 'search',
    id: 'repository-filter',
    placeholder: T.list.filterPlaceholder,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const tbody = h('tbody');
  const table = h(
    'table',
    { className: 'table', id: 'repositories-table' },
    h('caption', { className: 'visually-hidden' }, T.list.heading),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['name', 'uri', 'createdAt', 'mutability', 'scanOnPush', 'encryption'].map((key) => h('th', { scope: 'col' }, T.list.columns[key])),
      ),
    ),
    tbody,
  );
  const refresh = h('button', { type: 'button', className: 'btn', onclick: () => load() }, T.refresh);
  show(
    breadcrumbs([T.breadcrumbs.repositories, '/repositories']),
    h(
      'section',
      { className: 'container', 'aria-labelledby': 'repositories-heading' },
      h(
        'div',
        { className: 'container-header' },
        h('h1', { id: 'repositories-heading' }, T.list.heading, ' ', count),
        h('div', { className: 'actions' }, refresh, navLink('/create-repository', T.list.create, { className: 'btn btn-primary', id: 'create-repository' })),
      ),
      h('div', { className: 'filter' }, h('label', { for: 'repository-filter', className: 'visually-hidden' }, T.list.filterLabel), filter),
      h('div', { className: 'table-wrap' }, table),
    ),
  );

  const alive = viewAlive();
  let repositories = [];
  const draw = () => {
    const term = filter.value.trim().toLowerCase();
    const shown = repositories.filter((r) => r.repositoryName.toLowerCase().includes(term));
    count.textContent = fmt(T.list.count, { n: shown.length });
    if (shown.length === 0) {
      const text = repositories.length === 0 ? [h('strong', {}, T.list.empty), h('br'), T.list.emptyHint] : [T.list.noMatch];
      tbody.replaceChildren(h('tr', {}, h('td', { colspan: 6, className: 'empty' }, text)));
      return;
    }
    tbody.replaceChildren(
      ...shown.map((r) =>
        h(
          'tr',
          { 'data-repository': r.repositoryName },
          h('td', {}, navLink(repoPage(r.repositoryName), r.repositoryName, { className: 'repo-link' })),
          h('td', { className: 'uri' }, h('code', {}, r.repositoryUri), copyButton(r.repositoryUri, fmt(T.copyUriLabel, { uri: r.repositoryUri }))),
          h('td', {}, timeEl(r.createdAt)),
          h('td', {}, mutabilityText(r.imageTagMutability)),
          h('td', {}, onOff(r.imageScanningConfiguration?.scanOnPush)),
          h('td', {}, encryptionText(r.encryptionConfiguration?.encryptionType)),
        ),
      ),
    );
  };
  filter.addEventListener('input', draw);

  async function load() {
    tbody.replaceChildren(h('tr', {}, h('td', { colspan: 6, className: 'empty' }, T.loading)));
    try {
      repositories = (await api('GET', '/console/api/repositories')).repositories;
    } catch (error) {
      if (!alive()) return;
      repositories = [];
      flashError(T.errorTitle, error);
    }
    if (alive()) draw();
  }
  await load();
}

// ------------------------------------------------------------------ create repository

/** Which of ECR's naming rules a name breaks, if any: the key of its message. */
function nameProblem(name) {
  if (name.length === 0) return 'empty';
  if (/[A-Z]/.test(name)) return 'uppercase';
  if (/[^a-z0-9._/-]/.test(name)) return 'characters';
  if (name.length < 2) return 'tooShort';
  if (name.length > 256) return 'tooLong';
  if (!NAME_RE.test(name)) return 'pattern';
  return undefined;
}

function radio(name, value, label, help, checked, disabled = false) {
  const id = uid(`${name}-${value}`);
  const helpId = `${id}-help`;
  return h(
    'div',
    { className: 'choice' },
    h('input', { type: 'radio', name, value, id, checked, disabled, 'aria-describedby': helpId }),
    h('label', { for: id }, h('span', { className: 'choice-label' }, label), h('span', { className: 'help', id: helpId }, help)),
  );
}

function createView() {
  document.title = `${T.breadcrumbs.create} | ${T.documentTitle}`;
  const c = T.create;
  const nameInput = h('input', {
    type: 'text',
    id: 'repository-name',
    name: 'repositoryName',
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'none',
    maxlength: 300,
    'aria-describedby': 'repository-name-help repository-name-count repository-name-error',
    required: true,
  });
  const nameError = h('div', { id: 'repository-name-error', className: 'field-error', 'aria-live': 'polite' });
  const nameCount = h('div', { id: 'repository-name-count', className: 'help' }, fmt(c.nameCount, { n: 0 }));
  const scanOnPush = h('input', { type: 'checkbox', id: 'scan-on-push', name: 'scanOnPush', 'aria-describedby': 'scan-on-push-help' });
  const submit = h('button', { type: 'submit', className: 'btn btn-primary', id: 'create-submit' }, c.submit);
  let touched = false;

  const validate = () => {
    const value = nameInput.value;
    nameCount.textContent = fmt(c.nameCount, { n: value.length });
    const problem = nameProblem(value);
    const showIt = problem && (touched || value.length > 0);
    nameError.textContent = showIt ? c.nameErrors[problem] : '';
    nameInput.setAttribute('aria-invalid', showIt ? 'true' : 'false');
    return !problem;
  };
  nameInput.addEventListener('input', validate);
  nameInput.addEventListener('blur', () => {
    touched = true;
    validate();
  });

  const form = h(
    'form',
    { id: 'create-repository-form', novalidate: true },
    h(
      'section',
      { className: 'container' },
      h('div', { className: 'container-header' }, h('h2', {}, c.general)),
      h(
        'fieldset',
        {},
        h('legend', {}, c.visibility),
        h('p', { className: 'help' }, c.visibilityHelp),
        radio('visibility', 'private', c.private, c.privateHelp, true),
        radio('visibility', 'public', c.public, c.publicHelp, false, true),
      ),
      h(
        'div',
        { className: 'field' },
        h('label', { for: 'repository-name' }, c.name),
        h('p', { className: 'help', id: 'repository-name-help' }, c.nameHelp),
        h('div', { className: 'name-row' }, h('span', { className: 'name-prefix', title: c.namePrefixLabel }, `${data.registryHost}/`), nameInput),
        nameCount,
        nameError,
      ),
    ),
    h(
      'section',
      { className: 'container' },
      h('div', { className: 'container-header' }, h('h2', {}, c.mutability)),
      h(
        'fieldset',
        {},
        h('legend', { className: 'visually-hidden' }, c.mutability),
        h('p', { className: 'help' }, c.mutabilityHelp),
        radio('imageTagMutability', 'MUTABLE', c.mutable, c.mutableHelp, true),
        radio('imageTagMutability', 'IMMUTABLE', c.immutable, c.immutableHelp, false),
      ),
    ),
    h(
      'section',
      { className: 'container' },
      h('div', { className: 'container-header' }, h('h2', {}, c.scanning)),
      h(
        'div',
        { className: 'choice' },
        scanOnPush,
        h('label', { for: 'scan-on-push' }, h('span', { className: 'choice-label' }, c.scanOnPush), h('span', { className: 'help', id: 'scan-on-push-help' }, c.scanOnPushHelp)),
      ),
    ),
    h(
      'section',
      { className: 'container' },
      h('div', { className: 'container-header' }, h('h2', {}, c.encryption)),
      h(
        'fieldset',
        {},
        h('legend', { className: 'visually-hidden' }, c.encryption),
        h('p', { className: 'help' }, c.encryptionHelp),
        radio('encryptionType', 'AES256', c.aes256, c.aes256Help, true),
        radio('encryptionType', 'KMS', c.kms, c.kmsHelp, false),
      ),
    ),
    h('div', { className: 'form-actions' }, navLink('/repositories', T.cancel, { className: 'btn btn-link' }), submit),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    touched = true;
    if (!validate()) {
      nameInput.focus();
      return;
    }
    const fields = new FormData(form);
    const repositoryName = nameInput.value;
    submit.disabled = true;
    submit.textContent = c.submitting;
    try {
      // CreateRepository's own input: the sandbox validates it exactly as the API does.
      await api('POST', '/console/api/repositories', {
        repositoryName,
        imageTagMutability: fields.get('imageTagMutability'),
        imageScanningConfiguration: { scanOnPush: scanOnPush.checked },
        encryptionConfiguration: { encryptionType: fields.get('encryptionType') },
      });
      flashNext('success', fmt(c.created, { name: repositoryName }));
      navigate('/repositories');
    } catch (error) {
      flashError(c.failed, error);
      submit.disabled = false;
      submit.textContent = c.submit;
    }
  });

  show(breadcrumbs([T.breadcrumbs.repositories, '/repositories'], [T.breadcrumbs.create, '/create-repository']), h('h1', {}, c.heading), form);
  nameInput.focus();
}

// ------------------------------------------------------------------ repository details

async function detailView(name) {
  document.title = `${name} | ${T.documentTitle}`;
  const d = T.detail;
  show(breadcrumbs([T.breadcrumbs.repositories, '/repositories'], [name, repoPage(name)]), h('h1', {}, name), h('p', { className: 'loading' }, T.loading));
  const alive = viewAlive();
  let repository;
  try {
    repository = (await api('GET', repoApi(name))).repository;
  } catch (error) {
    if (!alive()) return;
    flashError(T.errorTitle, error);
    show(breadcrumbs([T.breadcrumbs.repositories, '/repositories'], [name, repoPage(name)]), h('h1', {}, name), h('p', {}, navLink('/repositories', T.backToRepositories)));
    return;
  }
  if (!alive()) return;

  const pushButton = h('button', { type: 'button', className: 'btn', id: 'view-push-commands', onclick: (e) => pushCommandsDialog(name, e.currentTarget) }, d.viewPushCommands);
  const deleteRepoButton = h('button', { type: 'button', className: 'btn', id: 'delete-repository', onclick: (e) => deleteRepositoryDialog(repository, images.length, e.currentTarget) }, d.deleteRepository);
  const fact = (label, value) => h('div', { className: 'fact' }, h('dt', {}, label), h('dd', {}, value));
  const summary = h(
    'section',
    { className: 'container', 'aria-labelledby': 'summary-heading' },
    h('div', { className: 'container-header' }, h('h2', { id: 'summary-heading' }, d.summary)),
    h(
      'dl',
      { className: 'facts' },
      fact(d.uri, [h('code', { id: 'repository-uri' }, repository.repositoryUri), copyButton(repository.repositoryUri, fmt(T.copyUriLabel, { uri: repository.repositoryUri }))]),
      fact(d.arn, h('code', {}, repository.repositoryArn)),
      fact(d.createdAt, timeEl(repository.createdAt)),
      fact(d.mutability, mutabilityText(repository.imageTagMutability)),
      fact(d.scanOnPush, onOff(repository.imageScanningConfiguration?.scanOnPush)),
      fact(d.encryption, encryptionText(repository.encryptionConfiguration?.encryptionType)),
    ),
  );

  const count = h('span', { className: 'count' });
  const deleteImagesButton = h('button', { type: 'button', className: 'btn', id: 'delete-images', disabled: true }, d.deleteImages);
  const refresh = h('button', { type: 'button', className: 'btn', onclick: () => load() }, T.refresh);
  const selectAll = h('input', { type: 'checkbox', id: 'select-all-images', 'aria-label': d.selectAll, title: d.selectAll });
  const tbody = h('tbody');
  const table = h(
    'table',
    { className: 'table', id: 'images-table' },
    h('caption', { className: 'visually-hidden' }, d.imagesHeading),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', className: 'select' }, selectAll),
        ['tags', 'type', 'pushedAt', 'size', 'digest', 'scanStatus'].map((key) => h('th', { scope: 'col' }, d.columns[key])),
      ),
    ),
    tbody,
  );
  const imagesSection = h(
    'section',
    { className: 'container', 'aria-labelledby': 'images-heading' },
    h(
      'div',
      { className: 'container-header' },
      h('h2', { id: 'images-heading' }, d.imagesHeading, ' ', count),
      h('div', { className: 'actions' }, refresh, deleteImagesButton),
    ),
    h('div', { className: 'table-wrap' }, table),
  );

  show(
    breadcrumbs([T.breadcrumbs.repositories, '/repositories'], [name, repoPage(name)]),
    h('div', { className: 'page-header' }, h('h1', {}, name), h('div', { className: 'actions' }, pushButton, deleteRepoButton)),
    summary,
    imagesSection,
  );

  let images = [];
  const selected = new Set();
  const syncSelection = () => {
    deleteImagesButton.disabled = selected.size === 0;
    selectAll.checked = images.length > 0 && selected.size === images.length;
    selectAll.indeterminate = selected.size > 0 && selected.size < images.length;
  };
  selectAll.addEventListener('change', () => {
    selected.clear();
    if (selectAll.checked) for (const image of images) selected.add(image.imageDigest);
    for (const box of tbody.querySelectorAll('input[type=checkbox]')) box.checked = selectAll.checked;
    syncSelection();
  });

  const draw = () => {
    count.textContent = fmt(T.list.count, { n: images.length });
    if (images.length === 0) {
      tbody.replaceChildren(h('tr', {}, h('td', { colspan: 7, className: 'empty' }, h('strong', {}, d.noImages), h('br'), d.noImagesHint)));
      syncSelection();
      return;
    }
    tbody.replaceChildren(
      ...images.map((image) => {
        const tags = image.imageTags?.length ? image.imageTags.join(', ') : d.untagged;
        const box = h('input', {
          type: 'checkbox',
          'aria-label': fmt(d.selectImage, { label: image.imageTags?.length ? tags : image.imageDigest }),
          checked: selected.has(image.imageDigest),
          onchange: (event) => {
            if (event.currentTarget.checked) selected.add(image.imageDigest);
            else selected.delete(image.imageDigest);
            syncSelection();
          },
        });
        const scan = image.imageScanStatus;
        return h(
          'tr',
          { 'data-digest': image.imageDigest },
          h('td', { className: 'select' }, box),
          h('td', { className: 'tags' }, tags),
          h('td', {}, d.imageType),
          h('td', {}, timeEl(image.imagePushedAt)),
          h('td', { className: 'size', 'data-bytes': image.imageSizeInBytes }, sizeMb(image.imageSizeInBytes)),
          h('td', { className: 'digest' }, h('code', {}, image.imageDigest), copyButton(image.imageDigest, fmt(T.copyDigestLabel, { digest: image.imageDigest }))),
          h('td', { className: 'scan' }, scan ? h('span', { title: scan.description ?? '' }, T.scanStatus[scan.status] ?? scan.status) : T.dash),
        );
      }),
    );
    syncSelection();
  };

  async function load() {
    tbody.replaceChildren(h('tr', {}, h('td', { colspan: 7, className: 'empty' }, T.loading)));
    try {
      images = (await api('GET', repoApi(name, 'images'))).imageDetails;
    } catch (error) {
      if (!alive()) return;
      images = [];
      flashError(T.errorTitle, error);
    }
    if (!alive()) return;
    for (const digest of [...selected]) if (!images.some((i) => i.imageDigest === digest)) selected.delete(digest);
    draw();
  }

  deleteImagesButton.addEventListener('click', (event) => {
    const digests = [...selected];
    confirmDialog({
      id: 'delete-images-dialog',
      heading: T.deleteImages.heading,
      body: [h('p', {}, plural(T.deleteImages.body, digests.length))],
      confirm: T.deleteImages.confirm,
      opener: event.currentTarget,
      onConfirm: async () => {
        // BatchDeleteImage by digest: the image goes with all its tags, as in the console.
        const out = await api('POST', repoApi(name, 'images', 'batch-delete'), { imageIds: digests.map((imageDigest) => ({ imageDigest })) });
        selected.clear();
        await load();
        const deleted = new Set(out.imageIds.map((id) => id.imageDigest)).size;
        if (out.failures.length) {
          flash(
            'error',
            plural(d.imageFailures, out.failures.length),
            h('ul', {}, out.failures.map((f) => h('li', {}, h('code', {}, f.imageId.imageDigest ?? f.imageId.imageTag ?? ''), ': ', h('strong', { className: 'error-type' }, f.failureCode), ': ', f.failureReason))),
          );
        } else {
          flash('success', plural(d.imagesDeleted, deleted));
        }
      },
    });
  });

  await load();
}

// ------------------------------------------------------------------ dialogs

/**
 * A modal dialog (the native <dialog>: focus stays inside, Escape closes it). Focus returns to
 * the button that opened it.
 */
function modal({ id, heading, body, footer, opener, wide = false }) {
  closeDialogs();
  const headingId = `${id}-heading`;
  const close = () => dialog.close();
  const dialog = h(
    'dialog',
    { id, className: `modal${wide ? ' modal-wide' : ''}`, 'aria-labelledby': headingId },
    h(
      'div',
      { className: 'modal-header' },
      h('h2', { id: headingId }, heading),
      h('button', { type: 'button', className: 'btn btn-close', 'aria-label': T.close, title: T.close, onclick: close }, '×'),
    ),
    h('div', { className: 'modal-body' }, body),
    footer ? h('div', { className: 'modal-footer' }, footer) : null,
  );
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** A yes/no dialog whose confirm runs `onConfirm`; the API's error shows inside the dialog. */
function confirmDialog({ id, heading, body, confirm, opener, onConfirm, confirmEnabled }) {
  const error = h('div', { className: 'dialog-error', role: 'alert' });
  const confirmButton = h('button', { type: 'button', className: 'btn btn-primary btn-danger', id: `${id}-confirm` }, confirm);
  const cancel = h('button', { type: 'button', className: 'btn btn-link', onclick: () => dialog.close() }, T.cancel);
  const dialog = modal({ id, heading, body: [...body, error], footer: [cancel, confirmButton], opener });
  if (confirmEnabled) {
    confirmButton.disabled = !confirmEnabled();
    dialog.addEventListener('input', () => (confirmButton.disabled = !confirmEnabled()));
  }
  confirmButton.addEventListener('click', async () => {
    if (confirmEnabled && !confirmEnabled()) return;
    confirmButton.disabled = true;
    error.replaceChildren();
    try {
      await onConfirm();
      if (dialog.open) dialog.close();
    } catch (e) {
      error.replaceChildren(errorDetail(e));
      confirmButton.disabled = false;
    }
  });
  return dialog;
}

function deleteRepositoryDialog(repository, imageCount, opener) {
  const r = T.deleteRepository;
  const name = repository.repositoryName;
  const input = h('input', { type: 'text', id: 'delete-repository-confirm-input', autocomplete: 'off', spellcheck: 'false', placeholder: r.confirmWord });
  const dialog = confirmDialog({
    id: 'delete-repository-dialog',
    heading: fmt(r.heading, { name }),
    body: [
      h('p', {}, r.body),
      imageCount > 0 ? h('p', {}, plural(r.imageCount, imageCount)) : null,
      h('div', { className: 'field' }, h('label', { for: 'delete-repository-confirm-input' }, fmt(r.confirmLabel, { name })), input),
    ].filter(Boolean),
    confirm: r.confirm,
    opener,
    confirmEnabled: () => input.value === name || input.value === r.confirmWord,
    onConfirm: async () => {
      // force: the console deletes a repository together with its images, after the typed confirmation.
      await api('DELETE', repoApi(name), { force: true });
      flashNext('success', fmt(r.deleted, { name }));
      navigate('/repositories');
    },
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') dialog.querySelector('.btn-danger')?.click();
  });
  input.focus();
}

async function pushCommandsDialog(name, opener) {
  const p = T.pushCommands;
  const body = h('div', {}, h('p', { className: 'loading' }, T.loading));
  const dialog = modal({ id: 'push-commands-dialog', heading: fmt(p.heading, { name }), body, opener, wide: true });
  let commands;
  try {
    commands = await api('GET', repoApi(name, 'push-commands'));
  } catch (error) {
    body.replaceChildren(h('div', { className: 'dialog-error', role: 'alert' }, errorDetail(error)));
    return;
  }
  if (!dialog.open) return;

  const platforms = [
    { key: 'unix', label: T.platforms.unix, steps: commands.unix },
    { key: 'windows', label: T.platforms.windows, steps: commands.windows, note: T.platforms.windowsNote },
  ];
  const tabs = platforms.map((platform, i) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${platform.key}`, 'aria-controls': `panel-${platform.key}`, 'aria-selected': i === 0 ? 'true' : 'false', tabindex: i === 0 ? 0 : -1, className: 'tab' }, platform.label),
  );
  const panels = platforms.map((platform, i) =>
    h(
      'div',
      { role: 'tabpanel', id: `panel-${platform.key}`, 'aria-labelledby': `tab-${platform.key}`, hidden: i !== 0, tabindex: 0, className: 'tab-panel' },
      platform.note ? h('p', { className: 'help' }, platform.note) : null,
      h(
        'ol',
        { className: 'push-steps' },
        platform.steps.map((step, index) =>
          h(
            'li',
            { 'data-step': step.key },
            h('p', {}, T.pushSteps[step.key]),
            h('div', { className: 'code-row' }, h('pre', {}, h('code', { className: 'command' }, step.commands.join('\n'))), copyButton(step.commands.join('\n'), fmt(T.copyCommandsLabel, { n: index + 1 }))),
            h('p', { className: 'help' }, fmt(p.stepFrom, { number: String(step.lesson.number).padStart(2, '0'), title: step.lesson.title })),
          ),
        ),
      ),
    ),
  );
  const select = (index) => {
    tabs.forEach((tab, i) => {
      tab.setAttribute('aria-selected', i === index ? 'true' : 'false');
      tab.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
    tabs[index].focus();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(i));
    tab.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowRight') select((i + 1) % tabs.length);
      else if (event.key === 'ArrowLeft') select((i - 1 + tabs.length) % tabs.length);
      else if (event.key === 'Home') select(0);
      else if (event.key === 'End') select(tabs.length - 1);
      else return;
      event.preventDefault();
    });
  });
  body.replaceChildren(h('p', {}, p.intro), h('div', { role: 'tablist', 'aria-label': p.tabsLabel, className: 'tabs' }, tabs), ...panels);
}

route();
