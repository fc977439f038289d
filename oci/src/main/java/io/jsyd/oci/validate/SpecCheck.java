package io.jsyd.oci.validate;

/** One semantic rule: reads the bound config and reports what breaks the rule. */
@FunctionalInterface
interface SpecCheck {
    void check(Context ctx, Problems out);
}
