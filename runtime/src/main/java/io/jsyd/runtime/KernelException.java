package io.jsyd.runtime;

/**
 * Everything the kernel reports. The message is written for the user: it names the
 * operation and what it acted on. Cleanup failures ride along as suppressed.
 */
public abstract sealed class KernelException extends RuntimeException
        permits SyscallException, InitStubException, StubProtocolException, CgroupException,
        LandlockException {
    protected KernelException(String message) {
        super(message);
    }

    protected KernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
