// Example customer service: decides whether a customer may place orders.
import { record } from "./ledger";

export interface Validation {
  isValid: boolean;
  // null rather than undefined so the field survives JSON checkpointing.
  customerId: string | null;
}

export const customerService = {
  async validate(customerId?: string | null): Promise<Validation> {
    const id = customerId ?? null;
    record("customer", "validate", { customerId: id });
    // Events arrive as untyped JSON, so check the type at run time too.
    const isValid =
      typeof id === "string" && id !== "" && !id.startsWith("blocked");
    return { isValid, customerId: id };
  },
};
