package dev.berth.storage;

import java.util.regex.Pattern;

/** The one check every key passes before it is used: relative segments of safe characters, no dot segments. */
public final class StorageKeys {
    private static final Pattern KEY =
            Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*");

    private StorageKeys() {
    }

    /** Returns {@code key} when valid; throws IllegalArgumentException otherwise (a bug: keys come from Paths). */
    public static String check(String key) {
        if (key == null || key.length() > 1024 || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid storage key: " + key);
        }
        return key;
    }

    /** Like {@link #check} but also allows the empty key, meaning the root. */
    public static String checkPrefix(String prefix) {
        return prefix.isEmpty() ? prefix : check(prefix);
    }
}
