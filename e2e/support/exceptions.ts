import { expect, type APIRequestContext } from '@playwright/test';
import { sendMllp } from './hl7';
import { adminApiKey } from './portal';

export interface ExceptionRow {
  id: string;
  correlationId: string;
  category: string;
  errorCode: string;
  errorDetail: string;
  status: string;
  team: string | null;
  owner: string | null;
  replayState: string | null;
}

export interface ExceptionGroup {
  key: string;
  title: string;
  count: number;
}

/** GET /api/v1/exceptions with the admin's API key: the rows of the first page and the total. */
export async function listExceptions(request: APIRequestContext, params: Record<string, string>): Promise<{ rows: ExceptionRow[]; total: number }> {
  const response = await request.get('/api/v1/exceptions', { params, headers: { 'X-Api-Key': adminApiKey } });
  expect(response.status()).toBe(200);
  return (await response.json()) as { rows: ExceptionRow[]; total: number };
}

/** Waits until the filter selects at least one exception and returns the first. */
export async function waitForException(request: APIRequestContext, params: Record<string, string>, timeout = 30_000): Promise<ExceptionRow> {
  let found: ExceptionRow | undefined;
  await expect(async () => {
    const { rows } = await listExceptions(request, params);
    expect(rows.length).toBeGreaterThan(0);
    found = rows[0];
  }).toPass({ timeout });
  return found!;
}

/** GET /api/v1/exceptions/groups: the groups of the filtered exceptions. */
export async function exceptionGroups(request: APIRequestContext, params: Record<string, string>): Promise<ExceptionGroup[]> {
  const response = await request.get('/api/v1/exceptions/groups', { params, headers: { 'X-Api-Key': adminApiKey } });
  expect(response.status()).toBe(200);
  return (await response.json()) as ExceptionGroup[];
}

/** Sends many messages over MLLP, `parallel` connections at a time; resolves with the acknowledgements. */
export async function sendMllpMany(messages: string[], parallel = 20): Promise<string[]> {
  const acks: string[] = new Array(messages.length);
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const i = next++;
      acks[i] = await sendMllp(messages[i], 30_000);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, messages.length) }, worker));
  return acks;
}
