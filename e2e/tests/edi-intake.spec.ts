import { expect, test } from '@playwright/test';
import { adminApiKey, signIn, users } from '../support/portal';

/** A supplier invoice (X12 810, 004010) for one PO line; `quantity` is written as given, so a bad one can be sent. */
function invoice810(invoiceNumber: string, control: string, quantity: string): string {
  const segments = [
    `ST*810*0001`,
    `BIG*20261121*${invoiceNumber}**PO-E2E-${control}`,
    `N1*VN*MEDLINE*92*MEDLINE`,
    `IT1*1*${quantity}*EA*20.90**BP*SKU-41006*VP*V-41006`,
    `TDS*20900`,
    `CTT*1`,
  ];
  const body = [...segments, `SE*${segments.length + 1}*0001`];
  return [
    `ISA*00*          *00*          *ZZ*MEDLINE        *ZZ*HEALTHSYNC     *261121*1200*U*00401*${control}*0*P*>`,
    `GS*IN*MEDLINE*HEALTHSYNC*20261121*1200*${Number(control)}*X*004010`,
    ...body,
    `GE*1*${Number(control)}`,
    `IEA*1*${control}`,
  ].join('~\n') + '~\n';
}

function control(): string {
  return String(Math.floor(Math.random() * 899_999_999) + 100_000_000);
}

test.describe('Supplier EDI sent over HTTP', () => {
  test('a valid 810 is acknowledged with a 997 and its invoice shows in the lineage', async ({ page, request }) => {
    const number = `INV-E2E-${control()}`;
    const response = await request.post('/edi/x12', {
      data: invoice810(number, control(), '10'),
      headers: { 'Content-Type': 'application/edi-x12', 'X-Api-Key': adminApiKey },
    });
    expect(response.status()).toBe(200);
    const ack = await response.text();
    expect(ack).toContain('ST*997*');
    expect(ack).toContain('AK9*A*1*1*1');
    const correlationId = response.headers()['x-correlation-id'];

    await signIn(page, users.supply, '/lineage');
    await page.getByLabel('Correlation id or business key').fill(number);
    await page.getByRole('button', { name: 'Find' }).click();
    await expect(page.getByText('1 transaction(s) found.')).toBeVisible();
    await page.getByRole('link', { name: correlationId }).click();
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('outcome')).toHaveText('recorded', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    const documents = page.getByTestId('documents');
    await expect(documents.getByRole('row').filter({ hasText: number })).toContainText('invoice');
    await expect(documents.getByRole('row').filter({ hasText: number })).toContainText('209.00');
  });

  test('an 810 with a non-numeric quantity gets a rejecting 997 and an exception that keeps the raw file', async ({ page, request }) => {
    const response = await request.post('/edi/x12', {
      data: invoice810(`INV-E2E-${control()}`, control(), '1O'),
      headers: { 'Content-Type': 'application/edi-x12', 'X-Api-Key': adminApiKey },
    });
    expect(response.status()).toBe(200);
    const ack = await response.text();
    expect(ack).toContain('AK3*IT1*');
    expect(ack).toContain('AK9*R');
    const correlationId = response.headers()['x-correlation-id'];

    await signIn(page, users.supply, `/lineage/${correlationId}`);
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('outcome')).toHaveText('needs attention', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    const exception = page.getByRole('listitem').filter({ hasText: 'x12-rejected' });
    await expect(exception).toContainText('is not a number');
    await expect(exception).toContainText('supply-chain');
    await expect(page.getByTestId('payload')).toContainText('IT1*1*1O*EA');
  });

  test('a settlement file with a bad row is accepted row by row', async ({ request }) => {
    const id = control();
    const csv = 'settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\n'
      + `STL-E2E-${id}-1,CHG-1,NGH,10.00,0.29,9.71,2026-11-20T10:00:00Z,VISA\n`
      + `STL-E2E-${id}-2,CHG-2,NGH,ten,0.29,9.71,2026-11-20T10:00:00Z,VISA\n`;
    const response = await request.post('/csv', { data: csv, headers: { 'Content-Type': 'text/csv', 'X-Api-Key': adminApiKey } });
    expect(response.status()).toBe(200);
    const report = await response.json();
    expect(report.rowsAccepted).toBe(1);
    expect(report.rowsRejected).toBe(1);
    expect(report.findings[0].path).toContain('row 3');
  });
});
