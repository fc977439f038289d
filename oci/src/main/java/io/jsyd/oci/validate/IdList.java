package io.jsyd.oci.validate;

/**
 * The list format of CPU and NUMA node sets, "0-3,7", parsed as runc's ToCPUSet
 * does: blanks around items and empty items are allowed, IDs are decimal and at
 * most 65536, ranges run upwards.
 */
final class IdList {
    static final int MAX_ID = 64 * 1024;

    private IdList() {
    }

    /** Why the text is not a list, or null when it is one. An empty text is an empty list. */
    static String problem(String text) {
        if (text.isEmpty()) {
            return null;
        }
        int members = 0;
        for (String item : text.split(",", -1)) {
            String range = item.strip();
            if (range.isEmpty()) {
                continue;
            }
            int dash = range.indexOf('-');
            String low = dash < 0 ? range : range.substring(0, dash);
            String high = dash < 0 ? range : range.substring(dash + 1);
            String bad = number(low);
            if (bad == null) {
                bad = number(high);
            }
            if (bad != null) {
                return bad;
            }
            if (Long.parseLong(low) > Long.parseLong(high)) {
                return range + " runs backwards";
            }
            members++;
        }
        return members == 0 ? "it lists nothing" : null;
    }

    /** True when the text names at least one ID (assumes {@link #problem} found nothing). */
    static boolean hasMembers(String text) {
        return text != null && !text.isEmpty() && problem(text) == null;
    }

    private static String number(String digits) {
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return Json.quote(digits) + " is not a number";
        }
        if (Long.parseLong(digits) > MAX_ID) {
            return digits + " is above " + MAX_ID;
        }
        return null;
    }
}
