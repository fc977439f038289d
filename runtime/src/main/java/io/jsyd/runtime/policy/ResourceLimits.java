package io.jsyd.runtime.policy;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The memory and process limits of a policy ({@code mem/max}, {@code mem/vm_max},
 * {@code pid/max}); enforced by the second confinement-kernel issue. Empty means no
 * limit (a value of 0 in policy text says the same).
 */
public record ResourceLimits(OptionalLong memMax, OptionalLong vmMax, OptionalInt pidMax) {
    public static final ResourceLimits NONE = new ResourceLimits(OptionalLong.empty(), OptionalLong.empty(),
            OptionalInt.empty());
}
