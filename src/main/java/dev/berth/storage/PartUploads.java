package dev.berth.storage;

import java.io.InputStream;
import java.util.List;

/**
 * Objects assembled from parts that separate requests, perhaps on separate instances, upload one at a time (an S3
 * multipart upload): what a store without append offers for an object that grows across requests. Nothing is visible
 * at the key until {@link #complete}.
 */
public interface PartUploads {
    /** The smallest part but the last that S3 accepts. */
    long MIN_PART = 5L * 1024 * 1024;

    /** Starts assembling an object at {@code key}; returns the store's id of the assembly. */
    String begin(String key);

    /**
     * Uploads part {@code number} (from 1) of the assembly, exactly {@code length} bytes of {@code content}; returns the
     * part's entity tag, which {@link #complete} needs. Every part but the last is at least {@link #MIN_PART} bytes.
     */
    String uploadPart(String key, String assembly, int number, InputStream content, long length);

    /** Makes the parts, in the order of {@code etags} (part 1 first), the object at {@code key}. */
    void complete(String key, String assembly, List<String> etags);

    /** Abandons the assembly and deletes its parts; nothing becomes visible. */
    void abort(String key, String assembly);
}
