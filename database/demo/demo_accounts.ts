/** The demo's accounts, which its pages and tests log in with. */
export const DEMO_PASSWORD = 'athera-demo-password'
export const DEMO_ADMIN_EMAIL = 'admin@athera.test'
export const CREATOR_EMAILS = {
  maria: 'maria.santos@athera.test',
  jordan: 'jordan.lee@athera.test',
  minjun: 'minjun.kim@athera.test',
}
