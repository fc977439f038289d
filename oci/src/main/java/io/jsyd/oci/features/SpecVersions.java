package io.jsyd.oci.features;

/**
 * The runtime-spec versions jsyd-oci accepts as a config's {@code ociVersion}:
 * {@code features} reports the range, {@code spec} writes the newest, and
 * {@code --version} prints it.
 */
public final class SpecVersions {
    public static final String MIN = "1.0.0";
    public static final String MAX = "1.3.0";

    private SpecVersions() {
    }
}
