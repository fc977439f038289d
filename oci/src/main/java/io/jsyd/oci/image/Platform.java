package io.jsyd.oci.image;

import io.jsyd.oci.UsageException;
import java.util.Locale;

/**
 * An image platform, "os/architecture[/variant]". Architecture names are the
 * Go ones image indexes use; the kernel's names (x86_64, aarch64) are accepted
 * for them. A platform without a variant matches any variant.
 */
public record Platform(String os, String architecture, String variant) {
    public static final Platform DEFAULT = new Platform("linux", "amd64", "");

    public Platform {
        os = os == null ? "" : os;
        architecture = normalizeArchitecture(architecture == null ? "" : architecture);
        variant = variant == null ? "" : variant;
    }

    public static Platform parse(String text) throws UsageException {
        String[] parts = text.toLowerCase(Locale.ROOT).split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && parts[2].isEmpty())) {
            throw new UsageException("--platform: \"" + text + "\" is not os/architecture[/variant] (e.g. linux/amd64)");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
    }

    private static String normalizeArchitecture(String arch) {
        return switch (arch) {
            case "x86_64", "x86-64" -> "amd64";
            case "aarch64" -> "arm64";
            case "i386", "i686" -> "386";
            default -> arch;
        };
    }

    /** Whether an image built for {@code candidate} suits a request for this platform. */
    public boolean accepts(Platform candidate) {
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
            return false;
        }
        if (variant.isEmpty()) {
            return true;
        }
        return variant.equals(candidate.variant)
                // arm64 images often omit their only variant
                || (architecture.equals("arm64") && variant.equals("v8") && candidate.variant.isEmpty());
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
