/**
 * `instanceof` that survives two copies of the SDK in one process (its ESM and CommonJS builds, or two
 * installed versions): each copy has its own class, so the check looks for a brand, a property keyed by
 * a registered symbol (`Symbol.for`, shared by every copy), instead of the prototype chain. nice-grpc's
 * ServerError and connect-es's ConnectError do the same.
 *
 * `target` is the class instanceof was asked about; when it is a subclass of the branded `base`, the
 * prototype chain decides as usual, so subclasses still narrow to themselves.
 */
export function isBranded(target: unknown, base: unknown, brand: symbol, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (target !== base)
    return typeof target === 'function' && Object.prototype.isPrototypeOf.call((target as { prototype: object }).prototype, value);
  return (value as Record<symbol, unknown>)[brand] === true;
}

/** Puts the brand on a class's prototype (not enumerable: it does not show in JSON or logs). */
export function setBrand(prototype: object, brand: symbol): void {
  Object.defineProperty(prototype, brand, { value: true, enumerable: false, writable: false, configurable: false });
}
