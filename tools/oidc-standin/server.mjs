// A local stand-in for the national identity provider (VNeID through the national portal):
// the certified npm `oidc-provider`, authorization code with PKCE (S256, required), RS256 ID
// tokens, RP-initiated logout, a few test citizens (accounts.json) and a plain login form that
// a person, a browser test or an HTTP client can fill. Loopback only; never for production.
//
//   node tools/oidc-standin/server.mjs            (settings from the environment, below)
//
// STANDIN_PORT (8001), STANDIN_ISSUER (http://127.0.0.1:PORT), STANDIN_CLIENT_ID (motcua),
// STANDIN_CLIENT_SECRET, STANDIN_REDIRECT_URIS and STANDIN_POST_LOGOUT_REDIRECT_URIS (comma
// lists), STANDIN_PASSWORD (the test citizens' password), STANDIN_SHOW_ACCOUNTS=1 (the login
// page lists the test citizens: the demo), STANDIN_TEST_CONTROLS=1 (the tests' /_standin/mode
// endpoint, which makes the provider misbehave on purpose, see `tamper`).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (name, fallback) => process.env[name] || fallback;
const list = (value) => value.split(',').map((s) => s.trim()).filter(Boolean);

const port = Number(env('STANDIN_PORT', '8001'));
const issuer = env('STANDIN_ISSUER', `http://127.0.0.1:${port}`);
const password = env('STANDIN_PASSWORD', 'matkhau-thu');
const testControls = env('STANDIN_TEST_CONTROLS', '') === '1';
const showAccounts = env('STANDIN_SHOW_ACCOUNTS', '') === '1'; // the demo lists its citizens
const { accounts } = JSON.parse(fs.readFileSync(path.join(here, 'accounts.json'), 'utf8'));

// RS256 keys made at each start: the published one signs; the "forged" one (same key id, never
// published) signs the ID tokens in the `signature` mode, as a forger without the key would.
const kid = crypto.randomBytes(8).toString('hex');
const makeKey = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = makeKey();
const forged = makeKey();
const jwkOf = (key, kind) => ({ ...key.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig', ...kind });
const privateJwk = jwkOf(signing.privateKey);

// How the tests make the provider misbehave: '' (correct), 'signature' (ID tokens signed with a
// key its JWKS does not publish), 'nonce' / 'iss' / 'aud' (the ID token re-signed with that claim
// changed).
let tamper = '';

const configuration = {
  clients: [
    {
      client_id: env('STANDIN_CLIENT_ID', 'motcua'),
      client_secret: env('STANDIN_CLIENT_SECRET', 'motcua-standin-secret'),
      redirect_uris: list(env('STANDIN_REDIRECT_URIS', 'http://127.0.0.1:8000/tai-khoan/dinh-danh/ve/')),
      post_logout_redirect_uris: list(env('STANDIN_POST_LOGOUT_REDIRECT_URIS', 'http://127.0.0.1:8000/')),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [privateJwk] },
  pkce: { methods: ['S256'], required: () => true },
  acrValues: ['LoA1', 'LoA2'],
  scopes: ['openid', 'profile', 'email', 'phone', 'address'],
  claims: {
    acr: null,
    address: ['address'],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
    // The personal identification number comes with the profile (an assumption, see the README).
    profile: ['name', 'birthdate', 'citizen_id'],
  },
  // The national portal puts the person's attributes in the ID token itself.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => {
    const account = accounts.find((a) => a.sub === id);
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  // A first-party client: the citizen is not asked to consent again (oidc-provider's recipe).
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(configuration.scopes.join(' '));
    grant.addOIDCClaims(['name', 'birthdate', 'citizen_id', 'email', 'phone_number', 'address']);
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // The confirmation form, submitted at once by a browser (a client without scripts posts it).
      logoutSource: async (ctx, form) => {
        ctx.body = page('Đăng xuất', `${form.replace('</form>', '<input type="hidden" name="logout" value="yes"><button type="submit">Đăng xuất</button></form>')}
          <script>document.forms[0].submit()</script>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Đã đăng xuất', '<h1>Đã đăng xuất khỏi tài khoản định danh</h1>');
      },
    },
  },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Lỗi', `<h1>Lỗi</h1><pre>${escape(JSON.stringify(out, null, 2))}</pre>`);
  },
};

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} – Định danh (thử)</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;margin:.4rem 0;font-size:1rem;box-sizing:border-box}
input,button{padding:.6rem}.error{color:#a40000}</style></head>
<body><main><p>Nhà cung cấp định danh chạy thử tại chỗ (không phải VNeID thật)</p>${body}</main></body></html>`;
}

function loginForm(uid, error = '') {
  return page('Đăng nhập', `<h1>Đăng nhập tài khoản định danh điện tử</h1>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label for="login">Số định danh cá nhân</label><input id="login" name="login" autocomplete="username" required>
<label for="password">Mật khẩu</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Đăng nhập</button></form>${showAccounts ? accountList() : ''}`);
}

function accountList() {
  const rows = accounts.map((a) => `<li>${escape(a.login)} – ${escape(a.claims.name)}</li>`).join('');
  return `<h2>Công dân thử</h2><p>Mật khẩu chung: <code>${escape(password)}</code></p><ul>${rows}</ul>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function b64json(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function resign(idToken, change, key = signing.privateKey) {
  const [header, payload] = idToken.split('.');
  const claims = { ...b64json(payload), ...change };
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = crypto.sign('sha256', Buffer.from(input), key).toString('base64url');
  return `${input}.${signature}`;
}

const provider = new Provider(issuer, configuration);
provider.proxy = false;

provider.use(async (ctx, next) => {
  if (testControls && ctx.path === '/_standin/mode' && ctx.method === 'POST') {
    tamper = (await readForm(ctx.req)).get('mode') || '';
    ctx.body = { mode: tamper };
    return;
  }
  const login = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (login) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'login') {
      // Consent is granted by loadExistingGrant; any other prompt simply finishes.
      const to = await provider.interactionResult(ctx.req, ctx.res, {}, { mergeWithLastSubmission: true });
      ctx.redirect(to);
      return;
    }
    if (!login[2] || ctx.method !== 'POST') {
      ctx.type = 'html';
      ctx.body = loginForm(details.uid);
      return;
    }
    const form = await readForm(ctx.req);
    const account = accounts.find((a) => a.login === (form.get('login') || '').trim());
    if (!account || form.get('password') !== password) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = loginForm(details.uid, 'Số định danh hoặc mật khẩu không đúng.');
      return;
    }
    const acr = details.params.acr_values ? String(details.params.acr_values).split(' ')[0] : 'LoA1';
    const to = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: account.sub, acr } },
      { mergeWithLastSubmission: false },
    );
    ctx.redirect(to);
    return;
  }
  await next();
  if (tamper === 'signature' && ctx.path === '/token' && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, {}, forged.privateKey) };
  }
  if (['nonce', 'iss', 'aud'].includes(tamper) && ctx.path === '/token' && ctx.body?.id_token) {
    const change = { nonce: 'nonce-of-another-sign-in', iss: 'http://127.0.0.1:1/khac', aud: 'another-client' }[tamper];
    ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, { [tamper]: change }) };
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-standin: ${issuer}/.well-known/openid-configuration`);
  if (showAccounts) {
    for (const a of accounts) console.log(`  ${a.login}  ${a.claims.name}  (mật khẩu: ${password})`);
  }
});
