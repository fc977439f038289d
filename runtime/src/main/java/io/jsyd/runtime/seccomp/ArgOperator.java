package io.jsyd.runtime.seccomp;

/** How a syscall argument is compared (libseccomp's SCMP_CMP_*). */
public enum ArgOperator {
    NE(SeccompConstants.SCMP_CMP_NE),
    LT(SeccompConstants.SCMP_CMP_LT),
    LE(SeccompConstants.SCMP_CMP_LE),
    EQ(SeccompConstants.SCMP_CMP_EQ),
    GE(SeccompConstants.SCMP_CMP_GE),
    GT(SeccompConstants.SCMP_CMP_GT),
    /** {@code (arg & value) == valueTwo} */
    MASKED_EQ(SeccompConstants.SCMP_CMP_MASKED_EQ);

    private final int libseccompValue;

    ArgOperator(long libseccompValue) {
        this.libseccompValue = (int) libseccompValue;
    }

    public int libseccompValue() {
        return libseccompValue;
    }
}
