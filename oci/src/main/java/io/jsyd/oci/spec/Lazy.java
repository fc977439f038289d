package io.jsyd.oci.spec;

import java.util.function.Supplier;

/**
 * A value computed on first use and then shared by every thread. Compiling the
 * schemas costs far more than most commands spend in total, so only the ones
 * that validate pay for it.
 */
final class Lazy<T> implements Supplier<T> {
    private final Supplier<T> compute;
    private volatile T value;

    Lazy(Supplier<T> compute) {
        this.compute = compute;
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = compute.get();
                    value = v;
                }
            }
        }
        return v;
    }
}
