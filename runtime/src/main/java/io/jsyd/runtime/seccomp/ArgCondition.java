package io.jsyd.runtime.seccomp;

/**
 * One comparison of a syscall argument. The values are unsigned 64-bit numbers
 * held in a long; libseccomp compares all 64 bits. For MASKED_EQ, {@code value}
 * is the mask and {@code valueTwo} what the masked argument must equal.
 */
public record ArgCondition(int index, ArgOperator operator, long value, long valueTwo) {
    /** Syscalls take at most six arguments. */
    public static final int MAX_INDEX = 5;

    public ArgCondition {
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("argument index " + index + " is not 0 to " + MAX_INDEX);
        }
        if (operator == null) {
            throw new IllegalArgumentException("no operator");
        }
    }

    public ArgCondition(int index, ArgOperator operator, long value) {
        this(index, operator, value, 0);
    }
}
