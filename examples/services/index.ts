// Entry point for the tutorial's example services and their side-effect ledger.
export { customerService } from "./customer-service";
export { paymentService } from "./payment-service";
export { inventoryService } from "./inventory-service";
export { ledgerPath, readLedger } from "./ledger";
export type { LedgerEntry } from "./ledger";
export type { Validation } from "./customer-service";
export type { Charge } from "./payment-service";
export type { Confirmation } from "./inventory-service";
