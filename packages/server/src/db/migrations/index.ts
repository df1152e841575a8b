import { Migration20261121054336 } from "./Migration20261121054336.js";
import { Migration20261121060417 } from "./Migration20261121060417.js";
import { Migration20261121062700 } from "./Migration20261121062700.js";
import { Migration20261121075956 } from "./Migration20261121075956.js";
import { Migration20261121082110 } from "./Migration20261121082110.js";
import { Migration20261121104005 } from "./Migration20261121104005.js";
import { Migration20261121111422 } from "./Migration20261121111422.js";
import { Migration20261121115000 } from "./Migration20261121115000.js";
import { Migration20261121163000 } from "./Migration20261121163000.js";

/** Every migration, in order. Landed migrations are never edited; add new ones at the end. */
export const migrationsList = [
  { name: "Migration20261121054336", class: Migration20261121054336 },
  { name: "Migration20261121060417", class: Migration20261121060417 },
  { name: "Migration20261121062700", class: Migration20261121062700 },
  { name: "Migration20261121075956", class: Migration20261121075956 },
  { name: "Migration20261121082110", class: Migration20261121082110 },
  { name: "Migration20261121104005", class: Migration20261121104005 },
  { name: "Migration20261121111422", class: Migration20261121111422 },
  { name: "Migration20261121115000", class: Migration20261121115000 },
  { name: "Migration20261121163000", class: Migration20261121163000 },
];
