package io.jsyd.oci.image;

/** The test tar writer for tests of other packages. */
public final class TarBuilderAccess {
    private final TarBuilder t = new TarBuilder();

    public TarBuilderAccess dir(String name, int mode) {
        t.dir(name, mode);
        return this;
    }

    public TarBuilderAccess file(String name, int mode, String content) {
        t.file(name, mode, content);
        return this;
    }

    public TarBuilderAccess symlink(String name, String target) {
        t.symlink(name, target);
        return this;
    }

    public TarBuilderAccess hardlink(String name, String target) {
        t.hardlink(name, target);
        return this;
    }

    public TarBuilderAccess fifo(String name, int mode) {
        t.fifo(name, mode);
        return this;
    }

    public byte[] build() {
        return t.build();
    }
}
