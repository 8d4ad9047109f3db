import type { Trade } from './trade.js';

const PRODUCTS = [
  { assetClass: 'EQUITY', market: 'XNYS' },
  { assetClass: 'EQUITY', market: 'XNAS' },
  { assetClass: 'ETF', market: 'XNYS' },
  { assetClass: 'ETF', market: 'XNAS' },
] as const;

/** Small deterministic PRNG (mulberry32), so a replay books the same trades every time. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function isWeekend(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

/** `n` trades booked on `tradeDate`, spread over US equities and ETFs on XNYS and XNAS. */
export function syntheticTrades(tradeDate: string, n: number, seed = 1): Trade[] {
  const rand = prng(seed ^ Number(tradeDate.replaceAll('-', '')));
  return Array.from({ length: n }, (_, i) => {
    const p = PRODUCTS[i % PRODUCTS.length] as (typeof PRODUCTS)[number];
    return {
      tradeId: `T-${tradeDate}-${String(i + 1).padStart(5, '0')}`,
      tradeDate,
      assetClass: p.assetClass,
      market: p.market,
      quantity: 100 * (1 + Math.floor(rand() * 50)),
      price: Math.round((10 + rand() * 490) * 100) / 100,
    };
  });
}
