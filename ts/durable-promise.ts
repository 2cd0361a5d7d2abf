// DurablePromise (API.md §5.1): a promise whose executor runs once, on the first
// then/catch/finally. Durable operations start their work when called and use the executor
// only to deliver the outcome; promise combinators use it to start lazily.

export class DurablePromise<T> implements Promise<T> {
  private promise: Promise<T> | undefined;

  constructor(private readonly executor: () => Promise<T>) {}

  private run(): Promise<T> {
    if (!this.promise) this.promise = this.executor();
    return this.promise;
  }

  get isExecuted(): boolean {
    return this.promise !== undefined;
  }

  then<TResult1 = T, TResult2 = never>(
    onfulfilled?: ((value: T) => TResult1 | PromiseLike<TResult1>) | undefined | null,
    onrejected?: ((reason: any) => TResult2 | PromiseLike<TResult2>) | undefined | null,
  ): Promise<TResult1 | TResult2> {
    return this.run().then(onfulfilled, onrejected);
  }

  catch<TResult = never>(onrejected?: ((reason: any) => TResult | PromiseLike<TResult>) | undefined | null): Promise<T | TResult> {
    return this.run().catch(onrejected);
  }

  finally(onfinally?: (() => void) | undefined | null): Promise<T> {
    return this.run().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return "DurablePromise";
  }
}
