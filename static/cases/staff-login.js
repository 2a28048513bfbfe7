// Sign-in for the staff pages outside the console (/security, /admin/audit): one form, the
// session cookie from /api/auth/login, and a role check so a wrong account is told at once.

import { t } from "/static/i18n.js";
import { $ } from "/static/util.js";
import { api } from "/static/cases/http.js";

/**
 * Shows #login-view until a user with one of `roles` is signed in, then calls onReady(user).
 * `forbiddenKey` is the i18n message for a signed-in account of another role.
 * Returns {logout()} which signs out and shows the form again.
 */
export function staffSession({ roles, forbiddenKey, onReady, onLogout }) {
  const ui = {
    view: $("login-view"), form: $("login-form"), username: $("login-username"), password: $("login-password"),
    submit: $("login-submit"), error: $("login-error"), app: $("app-view"), who: $("staff-name"), logout: $("btn-logout"),
  };
  let errorKey = null;

  function showLogin(key) {
    errorKey = key || null;
    ui.view.hidden = false;
    ui.app.hidden = true;
    ui.logout.hidden = true;
    ui.who.textContent = "";
    ui.error.hidden = !errorKey;
    ui.error.textContent = errorKey ? t(errorKey) : "";
    ui.submit.disabled = false;
    ui.username.focus();
  }

  /** fresh: the session was made on this page (a wrong one is ended; an existing one, kept). */
  async function accept(user, fresh) {
    if (!roles.includes(user.role)) {
      if (fresh) await api("/api/auth/logout", { method: "POST" }).catch(() => {});
      showLogin(forbiddenKey);
      return;
    }
    ui.view.hidden = true;
    ui.app.hidden = false;
    ui.logout.hidden = false;
    ui.who.textContent = user.display_name || user.username;
    onReady(user);
  }

  ui.form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const username = ui.username.value.trim();
    const password = ui.password.value;
    if (!username || !password) return showLogin("con.login.invalid");
    ui.submit.disabled = true;
    try {
      const body = await api("/api/auth/login", { method: "POST", json: { username, password } });
      ui.password.value = "";
      await accept(body.user, true);
    } catch (err) {
      showLogin(err.code === "rate_limited" ? "error.rate_limited" : err.code === "network" ? "error.network" : "con.login.invalid");
    }
  });

  async function logout() {
    await api("/api/auth/logout", { method: "POST" }).catch(() => {});
    if (onLogout) onLogout();
    showLogin();
  }
  ui.logout.addEventListener("click", logout);

  api("/api/auth/me").then((body) => accept(body.user, false)).catch(() => showLogin());

  return {
    logout,
    /** Re-apply the current error text after a language change. */
    render() {
      if (errorKey) ui.error.textContent = t(errorKey);
    },
  };
}
