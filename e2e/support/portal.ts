import { expect, type APIRequestContext, type Page } from '@playwright/test';

export interface DemoUser {
  userName: string;
  password: string;
  displayName: string;
  roleLabel: string;
}

/** The demo users listed on the sign-in page in demo mode. */
export const users = {
  analyst: { userName: 'analyst', password: 'analyst-demo', displayName: 'Riley Analyst', roleLabel: 'Revenue cycle analyst' },
  supply: { userName: 'supply', password: 'supply-demo', displayName: 'Sam Supply Lead', roleLabel: 'Supply chain lead' },
  admin: { userName: 'admin', password: 'admin-demo', displayName: 'Alex Admin', roleLabel: 'Administrator' },
} satisfies Record<string, DemoUser>;

/** The admin's API key, fixed by the script that starts the portal (Demo__ApiKeys__admin). */
export const adminApiKey = process.env.ADMIN_API_KEY ?? '';

/**
 * Opens `path`, which sends an anonymous visitor to the sign-in page, signs in there and waits until the portal
 * has brought the person back to `path` with the main navigation shown.
 */
export async function signIn(page: Page, user: DemoUser, path = '/lineage'): Promise<void> {
  await page.goto(path);
  await expect(page).toHaveURL(/\/account\/login\?ReturnUrl=/i);
  await page.getByLabel('User name').fill(user.userName);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL((url) => url.pathname + url.search === path);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

export interface LineageHit {
  correlationId: string;
  status: string;
  matchedOn: string;
}

/** GET /api/v1/lineage?q=... with the admin's API key. */
export async function findTransactions(request: APIRequestContext, q: string): Promise<LineageHit[]> {
  expect(adminApiKey, 'ADMIN_API_KEY must hold the admin API key the portal was started with').not.toBe('');
  const response = await request.get('/api/v1/lineage', { params: { q }, headers: { 'X-Api-Key': adminApiKey } });
  expect(response.status()).toBe(200);
  return (await response.json()) as LineageHit[];
}

/** GET /api/v1/lineage/{id}: the outcome of one transaction. */
export async function transactionOutcome(request: APIRequestContext, correlationId: string): Promise<string> {
  const response = await request.get(`/api/v1/lineage/${correlationId}`, { headers: { 'X-Api-Key': adminApiKey } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { outcome: string }).outcome;
}

/** Step names of the lineage timeline, in the order the page shows them. */
export async function timelineSteps(page: Page): Promise<string[]> {
  const items = page.getByRole('list', { name: 'Lineage timeline' }).getByRole('listitem');
  const texts = await items.allInnerTexts();
  return texts.map((t) => t.trim().split(/\s+/)[0]);
}

/** Whether `expected` appears in `actual` in the same order (other steps may come in between). */
export function inOrder(actual: string[], expected: string[]): boolean {
  let i = 0;
  for (const step of actual) if (step === expected[i]) i++;
  return i === expected.length;
}
