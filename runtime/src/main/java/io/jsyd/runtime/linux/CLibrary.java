package io.jsyd.runtime.linux;

/**
 * The name every JNA binding of the C library loads: its soname, which dlopen
 * finds by itself. A bare "c" would need JNA's library search path, and that
 * costs an `ldconfig -p` (fork and exec) at every JVM start; jvm.args turns the
 * search path off. glibc's soname has been libc.so.6 since 1997.
 */
public final class CLibrary {
    public static final String SONAME = "libc.so.6";

    private CLibrary() {
    }
}
