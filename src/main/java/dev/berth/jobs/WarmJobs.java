package dev.berth.jobs;

import dev.berth.mirror.MirroredRepository;
import dev.berth.oci.ImageReference;
import dev.berth.oci.Platform;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import java.lang.System.Logger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * Warm jobs: each caches its images one after the other on a virtual thread of its own, through the mirror's
 * pull-through path, uncounted as client traffic. The recent jobs are kept in memory (this instance's only) for their
 * progress; a job's images fail one by one, with a message each, without stopping the others.
 */
public final class WarmJobs implements AutoCloseable {
    private static final Logger LOG = System.getLogger(WarmJobs.class.getName());
    /** How many jobs are remembered; the oldest finished ones go first. */
    public static final int RECENT = 50;
    /** The most images one job takes. */
    public static final int MAX_IMAGES = 1000;

    private final Function<RepoName, MirroredRepository> repositories;
    private final Clock clock;
    private final Map<String, WarmJob> jobs = new LinkedHashMap<>();

    /** Jobs over the mirrored repositories {@code repositories} gives for image names as users write them. */
    public WarmJobs(Function<RepoName, MirroredRepository> repositories, Clock clock) {
        this.repositories = repositories;
        this.clock = clock;
    }

    /** What {@code image} stands for; a RegistryException when it is no reference or no upstream serves it. */
    public WarmRequest resolve(String image) {
        ImageReference reference = ImageReference.parse(image);
        return new WarmRequest(image, repositories.apply(reference.name()), reference.reference());
    }

    /** Starts a job caching {@code images}, narrowed to {@code platform} when given, for {@code startedBy}. */
    public WarmJob start(List<WarmRequest> images, Optional<Platform> platform, String startedBy) {
        if (images.isEmpty() || images.size() > MAX_IMAGES) {
            throw new IllegalArgumentException("a warm job takes 1 to " + MAX_IMAGES + " images");
        }
        List<ImageProgress> progress = images.stream()
                .map(r -> new ImageProgress(r.image(), r.repository())).toList();
        WarmJob job = new WarmJob(UUID.randomUUID().toString().replace("-", "").substring(0, 16), clock.instant(),
                platform, startedBy, progress);
        synchronized (this) {
            jobs.put(job.id(), job);
            forgetOld();
            Thread.ofVirtual().name("berth-warm-" + job.id()).start(() -> run(job, images, platform));
        }
        LOG.log(Logger.Level.INFO, "warm job " + job.id() + " started by " + startedBy + ": "
                + String.join(", ", images.stream().map(WarmRequest::image).toList()));
        return job;
    }

    private void run(WarmJob job, List<WarmRequest> images, Optional<Platform> platform) {
        try {
            for (int i = 0; i < images.size(); i++) {
                ImageProgress progress = job.images().get(i);
                if (job.cancelRequested()) {
                    progress.cancelled();
                    continue;
                }
                progress.running();
                warm(images.get(i), platform, progress, job);
            }
        } finally {
            job.finished(clock.instant());
            LOG.log(Logger.Level.INFO, "warm job " + job.id() + " " + job.state().name().toLowerCase(
                    java.util.Locale.ROOT));
        }
    }

    private static void warm(WarmRequest request, Optional<Platform> platform, ImageProgress progress, WarmJob job) {
        try {
            new ImageWarmer(request.mirrored(), platform.stream().toList(), progress, job::cancelRequested).warm(request.reference());
            progress.done();
        } catch (CancellationException e) {
            progress.cancelled();
        } catch (RegistryException e) {
            // The image is named beside the error wherever it is shown (the JSON's "image"), not in it again.
            progress.failed(e.detail() == null || e.detail().isEmpty() ? e.error().message() : e.detail());
        } catch (Exception e) {
            LOG.log(Logger.Level.WARNING, "warm job " + job.id() + ": " + request.image() + " failed", e);
            progress.failed(e.getClass().getSimpleName() + " (see the server log)");
        }
    }

    /** The job with this id, while it is remembered. */
    public synchronized Optional<WarmJob> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** The remembered jobs, newest first. */
    public synchronized List<WarmJob> recent() {
        List<WarmJob> list = new ArrayList<>(jobs.values());
        java.util.Collections.reverse(list);
        return list;
    }

    /** Asks a running job to stop: the image in progress stops at its next read, the rest are not started. */
    public void cancel(WarmJob job) {
        job.cancel();
    }

    private void forgetOld() {
        var iterator = jobs.values().iterator();
        while (jobs.size() > RECENT && iterator.hasNext()) {
            if (iterator.next().isFinished()) {
                iterator.remove();
            }
        }
    }

    /** Cancels every running job (at stop); downloads they started finish as a client's would. */
    @Override
    public void close() {
        synchronized (this) {
            jobs.values().forEach(WarmJob::cancel);
        }
    }
}
