package io.jsyd.oci.validate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ociVersion: SemVer 2.0.0 with major 1. A minor newer than the runtime-spec we
 * implement is a warning, not an error: runc never checks the version, and crun
 * dropped its check after it refused the 1.2 configs that CRI-O and Docker emit.
 * Such a config may use fields we do not know; they are kept and ignored, as the
 * spec's extensibility rule asks.
 */
final class VersionCheck {
    static final int SUPPORTED_MAJOR = 1;
    static final int SUPPORTED_MINOR = 3;
    static final String SUPPORTED = "1.3.0";

    // The grammar given on semver.org for SemVer 2.0.0.
    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                    + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)"
                    + "(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                    + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

    private VersionCheck() {
    }

    static void ociVersion(Context c, Problems out) {
        String version = c.spec().getOciVersion();
        if (version == null) {
            return; // the schema stage reports a missing ociVersion
        }
        Matcher m = SEMVER.matcher(version);
        if (!m.matches()) {
            out.error("$.ociVersion", Json.quote(version)
                    + " is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. " + SUPPORTED + ")");
            return;
        }
        // Digits only, but possibly too long for a long: compare as text.
        String major = m.group(1);
        String minor = m.group(2);
        if (!major.equals(Integer.toString(SUPPORTED_MAJOR))) {
            out.error("$.ociVersion", Json.quote(version) + " has major version " + major
                    + "; jsyd-oci implements runtime-spec " + SUPPORTED_MAJOR
                    + ".x and major versions are not compatible");
        } else if (minor.length() > 1 || Integer.parseInt(minor) > SUPPORTED_MINOR) {
            out.warning("$.ociVersion", Json.quote(version) + " is newer than runtime-spec " + SUPPORTED
                    + ", the newest jsyd-oci implements; fields added since are ignored");
        }
    }
}
