package io.jsyd.oci.cli.command;

import io.jsyd.oci.UsageException;

/** Lets tests in other packages reach the command's size parser. */
public final class BundleCreateCommandAccess {
    private BundleCreateCommandAccess() {
    }

    public static long parseSize(String text) throws UsageException {
        return BundleCreateCommand.parseSize(text);
    }
}
