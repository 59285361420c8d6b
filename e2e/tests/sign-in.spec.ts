import { expect, test } from '@playwright/test';
import { signIn, users } from '../support/portal';

test.describe('Signing in', () => {
  for (const user of Object.values(users)) {
    test(`${/^[aeiou]/i.test(user.roleLabel) ? 'an' : 'a'} ${user.roleLabel.toLowerCase()} signs in and sees their name and role in the header`, async ({ page }) => {
      await signIn(page, user);

      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const link of ['Overview', 'Exceptions', 'Lineage', 'Integration health']) {
        await expect(nav.getByRole('link', { name: link, exact: true })).toBeVisible();
      }
      await expect(nav.getByRole('link', { name: 'Simulated estate' })).toHaveCount(user === users.admin ? 1 : 0);
      await expect(page.getByTestId('current-user')).toHaveText(`${user.displayName} · ${user.roleLabel}`);
      await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    });
  }

  test('signing in from the sign-in page opens their landing page', async ({ page }) => {
    await page.goto('/account/login');
    await page.getByLabel('User name').fill(users.analyst.userName);
    await page.getByLabel('Password').fill(users.analyst.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page).toHaveURL((url) => url.pathname === '/');
    await expect(page.getByRole('heading', { name: 'Revenue cycle', level: 1 })).toBeVisible();
    await expect(page.getByTestId('current-user')).toHaveText('Riley Analyst · Revenue cycle analyst');
  });

  test('a wrong password shows an error and keeps the person signed out', async ({ page }) => {
    await page.goto('/account/login');
    await page.getByLabel('User name').fill(users.analyst.userName);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page).toHaveURL(/\/account\/login\?error=1/);
    await expect(page.getByRole('alert')).toHaveText('The user name or password is not right, or the account is disabled.');
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  });

  test('an unauthenticated visit to the exceptions page redirects to the sign-in page', async ({ page }) => {
    const response = await page.goto('/exceptions');

    expect(response?.status()).toBe(200);
    await expect(page).toHaveURL(/\/account\/login\?ReturnUrl=%2Fexceptions$/i);
    await expect(page.getByLabel('User name')).toBeVisible();
    await expect(page.getByLabel('Password')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    await expect(page.getByRole('table')).not.toContainText('lineage');
  });

  test('signing out returns to the sign-in page and protects the portal again', async ({ page }) => {
    await signIn(page, users.supply);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await expect(page).toHaveURL(/\/account\/login$/);
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    await page.goto('/lineage');
    await expect(page).toHaveURL(/\/account\/login\?ReturnUrl=%2Flineage$/i);
  });
});
