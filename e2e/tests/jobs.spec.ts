import { expect, test } from '@playwright/test';
import { signIn, users } from '../support/portal';

test.describe('Scheduled jobs', () => {
  test('an admin pauses and resumes a job, runs one now and sees the run with its counts and the exceptions it raised', async ({ page }) => {
    await signIn(page, users.admin, '/jobs');
    const drift = page.getByRole('row').filter({ hasText: 'Inventory drift' });
    await expect(drift.getByTestId('state')).toHaveText('active');

    await drift.getByRole('button', { name: 'Pause Inventory drift' }).click();
    await expect(page.getByRole('status')).toContainText('inventory-drift paused');
    await expect(page.getByRole('row').filter({ hasText: 'Inventory drift' }).getByTestId('state')).toHaveText('paused');
    await page.getByRole('row').filter({ hasText: 'Inventory drift' }).getByRole('button', { name: 'Resume Inventory drift' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'Inventory drift' }).getByTestId('state')).toHaveText('active');

    await page.getByRole('row').filter({ hasText: 'Inventory drift' }).getByRole('button', { name: 'Run Inventory drift now' }).click();
    await expect(page.getByRole('status')).toContainText('inventory-drift triggered');
    const history = page.getByRole('table', { name: 'Run history' });
    await expect(async () => {
      await page.goto('/jobs?job=inventory-drift');
      await expect(history.getByRole('row').filter({ hasText: 'manual: admin' }).filter({ hasText: 'Succeeded' }).first()).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 30_000, intervals: [1_000] });
    const run = history.getByRole('row').filter({ hasText: 'manual: admin' }).first();
    const cells = await run.getByRole('cell').allInnerTexts();
    expect(Number(cells[5].replace(/,/g, '')), 'item-locations examined').toBeGreaterThan(0);

    await page.goto('/audit?action=job.');
    await expect(page.getByRole('main')).toContainText('job.pause');
    await expect(page.getByRole('main')).toContainText('job.trigger');

    await page.goto('/exceptions?status=Open&q=inventory-variance');
    await expect(page.getByTestId('exception-count')).not.toHaveText(/^0 exception/);
  });
});
