/**
 * The promise's value if it settles within `ms`, else undefined (the promise keeps running). A rejection
 * within `ms` rejects. Adapters use it to answer at once when the core is quick and to acknowledge first when
 * it is not, within the platform's deadline.
 */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
