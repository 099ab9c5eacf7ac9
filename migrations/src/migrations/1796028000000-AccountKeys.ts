import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account-held signing keys (issue 10, docs/governance.md §Account keys): one secp256k1 key per user
 * for members and regulators without a browser wallet. The private key is stored only encrypted
 * (AES-256-GCM, key derived from KEY_ENCRYPTION_SECRET, the user id as additional authenticated data,
 * so a ciphertext copied onto another user does not decrypt). The API's tenant role `opencep_app`
 * gets no privilege on the table: only the custody module reads it, as the connection role.
 */
export class AccountKeys1796028000000 implements MigrationInterface {
  name = 'AccountKeys1796028000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_keys (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        address text NOT NULL UNIQUE CHECK (address ~ '^0x[0-9a-f]{40}$'),
        key_ciphertext bytea NOT NULL CHECK (length(key_ciphertext) = 32),
        key_iv bytea NOT NULL CHECK (length(key_iv) = 12),
        key_tag bytea NOT NULL CHECK (length(key_tag) = 16),
        key_version smallint NOT NULL DEFAULT 1,
        created_by uuid NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`REVOKE ALL ON account_keys FROM opencep_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS account_keys`);
  }
}
