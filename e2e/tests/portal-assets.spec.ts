import { expect, test } from '@playwright/test';
import { signIn, users } from '../support/portal';

test.describe('Portal assets', () => {
  test('pages load the portal stylesheet and htmx', async ({ page }) => {
    const assets = new Map<string, { status: number; type: string }>();
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (['/lib/bootstrap.min.css', '/lib/htmx.min.js', '/app.css'].includes(path)) {
        assets.set(path, { status: r.status(), type: r.headers()['content-type'] ?? '' });
      }
    });

    await signIn(page, users.analyst, '/lineage');
    await page.reload({ waitUntil: 'load' });

    expect(assets.get('/lib/bootstrap.min.css')).toEqual({ status: 200, type: expect.stringContaining('text/css') });
    expect(assets.get('/app.css')).toEqual({ status: 200, type: expect.stringContaining('text/css') });
    expect(assets.get('/lib/htmx.min.js')).toEqual({ status: 200, type: expect.stringMatching(/javascript/) });
    expect(await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe('object');
    // Bootstrap's dark navbar is styled, not a plain list of links.
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCSS('display', 'flex');
  });
});
