package io.jsyd.oci.validate;

import io.jsyd.oci.spec.SpecJson;
import java.util.List;
import java.util.regex.Pattern;

/** JSON paths and quoted values for messages, written the way the schema stage writes them. */
final class Json {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Json() {
    }

    static String index(String base, int i) {
        return base + "[" + i + "]";
    }

    /** A map key: dotted access when it is a plain name, bracket form for keys like net.ipv4.ip_forward. */
    static String key(String base, String key) {
        if (IDENTIFIER.matcher(key).matches()) {
            return base + "." + key;
        }
        return base + "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }

    /** A string value as JSON writes it, so empty strings and control characters stay visible. */
    static String quote(String value) {
        return SpecJson.compact(value);
    }

    static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }

    static long value(Long value) {
        return value == null ? 0 : value;
    }
}
