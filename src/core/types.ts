// Shared vocabulary that names no venue. Prices and sizes are fixed-point integers (see fixed.ts)
// at the scales a market declares (venues/types.ts).

export type OrderSide = 'buy' | 'sell';
export type BookSide = 'bid' | 'ask';

export function oppositeSide(side: OrderSide): OrderSide {
  return side === 'buy' ? 'sell' : 'buy';
}
