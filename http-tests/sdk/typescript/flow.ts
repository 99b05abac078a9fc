// A PSA's partner flow through the TypeScript client that @hey-api/openapi-ts
// generates from openapi/openapi.json into ./client (run by `.ci/run sdk`).
//
// Environment: PP_BASE_URL (the live server), PP_ADMIN_TOKEN (a provider
// admin's bearer token, used only to create the API client the flow then signs
// in as). Prints each step; exits non-zero at the first failure.

import { randomUUID } from 'node:crypto';

import { createClient } from './client/client';
import {
  createApiClient,
  createOrganization,
  createSubscription,
  exportSubscriptionReport,
  getBillingRun,
  getMe,
  getOrganization,
  importOperators,
  issueInvoice,
  issueToken,
  listDescendants,
  listInvoices,
  runBilling,
  updateOrganization,
  updateSubscription,
} from './client';

class FlowError extends Error {}

/** What every generated call answers (the fields this flow reads). */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

function step(name: string): void {
  console.log(`-- ${name}`);
}

function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new FlowError(message);
}

/** The body of an answer that must have `status`. */
function expect<T>(answer: Answer<T>, status: number, what: string): T {
  const got = answer.response?.status;
  if (got !== status) {
    const body = JSON.stringify(answer.error ?? answer.data ?? null).slice(0, 500);
    throw new FlowError(`${what}: expected ${status}, got ${got}: ${body}`);
  }
  check(answer.data !== undefined, `${what}: no body`);
  return answer.data;
}

/** A problem+json answer with `status` and `code`; returns the problem. */
function expectProblem(answer: Answer<unknown>, status: number, code: string, what: string) {
  check(answer.response?.status === status, `${what}: expected ${status}, got ${answer.response?.status}`);
  const type = answer.response.headers.get('content-type') ?? '';
  check(type.startsWith('application/problem+json'), `${what}: content type ${type}, not problem+json`);
  const problem = answer.error as { code?: string; errors?: { field: string }[] | null };
  check(problem?.code === code, `${what}: code ${problem?.code}, expected ${code}`);
  return problem;
}

function replayed(answer: Answer<unknown>, what: string): void {
  const header = answer.response?.headers.get('idempotent-replayed');
  check(header === 'true', `${what}: no \`Idempotent-Replayed: true\` on the replay`);
}

async function run(): Promise<void> {
  const baseUrl = process.env.PP_BASE_URL;
  const adminToken = process.env.PP_ADMIN_TOKEN;
  check(baseUrl && adminToken, 'PP_BASE_URL and PP_ADMIN_TOKEN must be set');
  const runId = `${Math.floor(Date.now() / 1000)}${randomUUID().slice(0, 6)}`;
  const period = new Date().toISOString().slice(0, 7);

  // The auth callback is asked for every secured operation with its scheme:
  // answer only for `bearer`, or the token endpoint gets the token as Basic.
  const admin = createClient({ baseUrl, auth: (auth) => (auth.scheme === 'bearer' ? adminToken : undefined) });

  step('admin: find the distributor Northwind and create an API client for it');
  const me = expect(await getMe({ client: admin }), 200, 'get me');
  const found = expect(
    await listDescendants({
      client: admin,
      path: { id: me.home_organization_id },
      query: { kind: 'distributor', q: 'Northwind', limit: 5 },
    }),
    200,
    'find Northwind',
  );
  check(found.items.length === 1, `${found.items.length} distributors named Northwind`);
  const home = found.items[0].id;
  const created = expect(
    await createApiClient({
      client: admin,
      path: { id: home },
      body: { name: `sdk-typescript ${runId}`, roles: ['admin'] },
    }),
    201,
    'create API client',
  );

  step('sign in with client credentials (a client without the bearer callback)');
  const anonymous = createClient({ baseUrl });
  const grant = expect(
    await issueToken({
      client: anonymous,
      body: {
        grant_type: 'client_credentials',
        client_id: created.client_id,
        client_secret: created.client_secret,
      },
    }),
    200,
    'client-credentials grant',
  );
  const psa = createClient({
    baseUrl,
    auth: (auth) => (auth.scheme === 'bearer' ? grant.access_token : undefined),
  });

  step('walk the client\'s subtree across every cursor page (limit 3)');
  const seen = new Set<string>();
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = expect(
      await listDescendants({ client: psa, path: { id: home }, query: { limit: 3, cursor } }),
      200,
      `descendants page ${pages + 1}`,
    );
    pages += 1;
    for (const org of page.items) {
      check(!seen.has(org.id), `${org.id} came twice across pages`);
      seen.add(org.id);
    }
    cursor = page.next_cursor ?? undefined;
    if (!cursor) break;
    check(pages < 1000, 'more than 1000 pages: the cursor does not advance');
  }
  check(pages >= 2, `only ${pages} page(s): the walk did not cross a cursor`);
  console.log(`   ${seen.size} organisations in ${pages} pages`);

  step('create a partner with an Idempotency-Key, then replay it');
  const partnerBody = { parent_id: home, kind: 'partner' as const, name: `SDK Partner ${runId}` };
  let headers = { 'Idempotency-Key': `sdk-ts-partner-${runId}` };
  const partner = expect(await createOrganization({ client: psa, body: partnerBody, headers }), 201, 'create partner');
  let again = await createOrganization({ client: psa, body: partnerBody, headers });
  check(expect(again, 201, 'replay partner').id === partner.id, 'the replay answered another partner');
  replayed(again, 'replay partner');

  step('create a customer under it with an Idempotency-Key, then replay it');
  const customerBody = {
    parent_id: partner.id,
    kind: 'customer' as const,
    name: `SDK Customer ${runId}`,
    primary_domain: `sdkts${runId}.onmicrosoft.com`,
    country: 'NZ' as const,
  };
  headers = { 'Idempotency-Key': `sdk-ts-customer-${runId}` };
  const customer = expect(
    await createOrganization({ client: psa, body: customerBody, headers }),
    201,
    'create customer',
  );
  again = await createOrganization({ client: psa, body: customerBody, headers });
  check(expect(again, 201, 'replay customer').id === customer.id, 'the replay answered another customer');
  replayed(again, 'replay customer');

  step('read the partner\'s ETag, update it with If-Match, then 412 with the stale one');
  const read = await getOrganization({ client: psa, path: { id: partner.id } });
  expect(read, 200, 'get partner');
  const etag = read.response.headers.get('etag');
  check(etag, 'no ETag on GET /v1/organizations/{id}');
  const renamed = await updateOrganization({
    client: psa,
    path: { id: partner.id },
    headers: { 'If-Match': etag },
    body: { name: `SDK Partner ${runId} renamed` },
  });
  check(expect(renamed, 200, 'update with If-Match').name.endsWith('renamed'), 'the name did not change');
  check(renamed.response.headers.get('etag') !== etag, 'the ETag did not change with the update');
  const stale = await updateOrganization({
    client: psa,
    path: { id: partner.id },
    headers: { 'If-Match': etag },
    body: { name: 'never written' },
  });
  expectProblem(stale, 412, 'stale_version', 'update with a stale If-Match');

  step('create a subscription and change its seats');
  const subAnswer = await createSubscription({
    client: psa,
    path: { id: customer.id },
    body: {
      sku: 'O365_BUSINESS_PREMIUM',
      description: 'Microsoft 365 Business Premium',
      quantity: 19,
      assigned: 19,
      unit_price: { amount_minor: 3300, currency: 'NZD' },
      billing_cycle: 'monthly',
      renews_on: `${new Date().getUTCFullYear() + 1}-01-15`,
    },
  });
  const sub = expect(subAnswer, 201, 'create subscription');
  const subEtag = subAnswer.response.headers.get('etag');
  check(subEtag, 'no ETag on the created subscription');
  const changed = expect(
    await updateSubscription({
      client: psa,
      path: { id: sub.id },
      headers: { 'If-Match': subEtag },
      body: { quantity: 25, assigned: 21 },
    }),
    200,
    'change seats',
  );
  check(changed.quantity === 25 && changed.assigned === 21, 'the seats did not change');

  step(`run billing for ${period} and issue the invoice`);
  const queued = expect(
    await runBilling({ client: psa, path: { id: partner.id }, body: { period } }),
    202,
    'run billing',
  );
  const deadline = Date.now() + 30_000;
  let state = queued;
  while (state.status !== 'succeeded' && state.status !== 'failed') {
    check(Date.now() < deadline, `the billing run is still ${state.status} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    state = expect(await getBillingRun({ client: psa, path: { id: queued.id } }), 200, 'get billing run');
  }
  check(state.status === 'succeeded', `the billing run ${state.status}`);
  const invoices = expect(
    await listInvoices({ client: psa, path: { id: partner.id }, query: { period, status: 'draft' } }),
    200,
    'list draft invoices',
  );
  check(invoices.items.length === 1, `${invoices.items.length} draft invoices, expected 1`);
  const issued = expect(
    await issueInvoice({ client: psa, path: { id: invoices.items[0].id } }),
    200,
    'issue invoice',
  );
  check(issued.status === 'issued', `the invoice is ${issued.status}`);

  step('download the subscriptions CSV report');
  const report = await exportSubscriptionReport({ client: psa, path: { id: partner.id }, parseAs: 'text' });
  const csv = expect(report, 200, 'subscriptions.csv');
  const type = report.response.headers.get('content-type') ?? '';
  check(type.startsWith('text/csv'), `the report is ${type}, not text/csv`);
  const lines = String(csv).split(/\r?\n/);
  check(lines[0].startsWith('subscription_id,'), `unexpected header row ${lines[0]}`);
  check(lines.slice(1).some((line) => line.includes(sub.id)), 'the new subscription is not in the report');

  step('import operators from a CSV file (multipart `file`)');
  const file = new Blob(
    [
      'email,name,legacy_role,organization\n' +
        `ann.${runId}@sdk.example,Ann Lee,Invoice,${partner.id}\n` +
        `bob.${runId}@sdk.example,Bob Ray,TenantAdmin,${partner.id}\n`,
    ],
    { type: 'text/csv' },
  );
  const imported = expect(
    await importOperators({ client: psa, path: { id: partner.id }, body: { file } }),
    200,
    'import operators',
  );
  check(imported.created.length === 2, `${imported.created.length} operators created, expected 2`);

  step('a 404 problem: an organisation that does not exist');
  expectProblem(
    await getOrganization({ client: psa, path: { id: randomUUID() } }),
    404,
    'not_found',
    'get unknown organisation',
  );

  step('a 422 problem naming the field');
  const problem = expectProblem(
    await createOrganization({
      client: psa,
      body: { parent_id: partner.id, kind: 'customer', name: 'Bad', primary_domain: 'not a domain' },
    }),
    422,
    'validation_failed',
    'create with a bad domain',
  );
  const fields = (problem.errors ?? []).map((e) => e.field);
  check(fields.includes('primary_domain'), `the problem names ${fields.join(', ')}, not primary_domain`);
}

const started = Date.now();
run().then(
  () => console.log(`typescript flow passed in ${((Date.now() - started) / 1000).toFixed(1)} s`),
  (failure: unknown) => {
    console.log(`FAILED: ${failure instanceof Error ? failure.message : String(failure)}`);
    process.exitCode = 1;
  },
);
