import type { RateService } from "../../services/rates.js";
import type { Handlers } from "../route.js";

export function rateHandlers(rates: RateService): Handlers {
  return {
    getRates: async () => ({
      status: 200,
      body: { rates: (await rates.current()).map((r) => ({ currency: r.currency, rate: r.rate })) },
    }),
  };
}
