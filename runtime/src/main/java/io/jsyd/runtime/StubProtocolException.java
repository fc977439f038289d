package io.jsyd.runtime;

/** The init stub and the parent disagreed on the protocol, or the stub vanished. */
public final class StubProtocolException extends KernelException {
    public StubProtocolException(String message) {
        super(message);
    }
}
