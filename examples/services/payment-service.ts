// Example payment service: charges an order. The charge id counts the order's
// earlier charges in the ledger, so a double charge shows up as "..._2".
import { inspect } from "node:util";
import { readLedger, record } from "./ledger";

export interface Charge {
  chargeId: string;
  orderId: string;
  amount: number;
}

export const paymentService = {
  async charge(orderId: string, amount: number): Promise<Charge> {
    // Reject before recording: a refused charge moved no money.
    if (typeof amount !== "number" || !Number.isFinite(amount) || amount <= 0) {
      throw new Error(
        `paymentService.charge: amount must be a positive finite number, got ${inspect(amount)}`,
      );
    }
    const previous = readLedger().filter(
      (e) => e.service === "payment" && e.action === "charge" && e.orderId === orderId,
    ).length;
    const chargeId = `ch_${orderId}_${previous + 1}`;
    record("payment", "charge", { orderId, amount, chargeId });
    return { chargeId, orderId, amount };
  },
};
