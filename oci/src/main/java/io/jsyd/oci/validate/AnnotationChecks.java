package io.jsyd.oci.validate;

import java.util.Map;

/** annotations: keys must not be empty (config.md "Annotations"). */
final class AnnotationChecks {
    private AnnotationChecks() {
    }

    static void keys(Context c, Problems out) {
        Map<String, String> annotations = c.spec().getAnnotations();
        if (annotations != null && annotations.containsKey("")) {
            out.error(Json.key("$.annotations", ""), "an annotation key must not be empty");
        }
    }
}
