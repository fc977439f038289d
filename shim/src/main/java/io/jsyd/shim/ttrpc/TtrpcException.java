package io.jsyd.shim.ttrpc;

/** A call that ends with a non-OK status: the code and message go back to the caller. */
public class TtrpcException extends Exception {
    private final Code code;

    public TtrpcException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public TtrpcException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
