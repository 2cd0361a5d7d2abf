// Example inventory service: confirms the stock reserved for an order.
import { record } from "./ledger";

export interface Confirmation {
  orderId: string;
  confirmed: true;
}

export const inventoryService = {
  async confirm(orderId: string): Promise<Confirmation> {
    record("inventory", "confirm", { orderId });
    return { orderId, confirmed: true };
  },
};
