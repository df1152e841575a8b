import { defineEntity, p } from "@mikro-orm/core";

/**
 * A person who owns stores: what the Greenfield connect flow (`/api-keys/authorize`) signs in. The
 * password is stored as scrypt (salt and parameters in the string); the id is the Greenfield
 * `userId`. btpay's own API knows no users, only store API keys.
 */
export const AppUserEntity = defineEntity({
  name: "AppUser",
  tableName: "app_user",
  properties: {
    id: p.string().primary().length(32),
    email: p.string().length(320).unique(),
    passwordHash: p.text(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});
