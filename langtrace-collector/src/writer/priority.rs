//! Scheduling priorities: the writer is the pipeline's one serial stage, so every other
//! thread of the collector runs below it. On a busy machine (measured on 2 cores) the
//! writer spent a quarter of its time runnable but waiting for a CPU held by decoding
//! threads, whose work only feeds it.
//!
//! A thread inherits its creator's priority and an unprivileged thread can lower its own
//! priority but never raise it again, so the writer's threads must be started from a
//! thread that has not yielded: [`super::Writer::start`] checks it ([`has_yielded`]).

/// How much lower than the writer's the scheduling priority of every other collector
/// thread is (a nice value added to the process's own).
const NICE_BELOW_WRITER: i32 = 8;

/// Lowers the calling thread's scheduling priority below the writer's: the main thread's
/// nice value +8, and `SCHED_BATCH` (a waking thread of this policy does not preempt the
/// running writer). Called on every async and blocking thread of the runtime and by the
/// checkpointer; a thread that already yielded (or was created by one that did) stays at
/// +8. Unprivileged (a thread may always lower its own priority); a no-op off Linux, where
/// the nice value is not per thread.
pub fn yield_to_writer() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread (`who = 0`) and reading the main
    // thread's priority; no memory passed.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        libc::sched_setscheduler(0, libc::SCHED_BATCH, &param);
        // The main thread's id is the process id.
        if let Some(main) = nice_of(libc::getpid() as libc::id_t) {
            libc::setpriority(libc::PRIO_PROCESS, 0, (main + NICE_BELOW_WRITER).min(19));
        }
    }
}

/// Whether the calling thread runs below the process's main thread: a lower priority
/// (higher nice value) or the batch policy, as after [`yield_to_writer`] (or on a thread
/// created by one that yielded). Always false off Linux.
pub fn has_yielded() -> bool {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls reading scheduling attributes; no memory passed.
    unsafe {
        if libc::sched_getscheduler(0) == libc::SCHED_BATCH {
            return true;
        }
        // `who = 0` is this thread; the main thread's id is the process id.
        let this_thread = nice_of(0);
        let main_thread = nice_of(libc::getpid() as libc::id_t);
        matches!((this_thread, main_thread), (Some(this), Some(main)) if this > main)
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// The nice value of thread `id` (0: the calling thread), `None` if it cannot be read.
#[cfg(target_os = "linux")]
unsafe fn nice_of(id: libc::id_t) -> Option<i32> {
    *libc::__errno_location() = 0;
    let nice = libc::getpriority(libc::PRIO_PROCESS, id);
    (*libc::__errno_location() == 0).then_some(nice)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_thread_that_yielded_knows_it_and_its_children_inherit_it() {
        let fresh = std::thread::spawn(has_yielded).join().unwrap();
        assert!(!fresh, "a thread started by the test harness runs at the process's priority");
        let main = unsafe { nice_of(libc::getpid() as libc::id_t) }.unwrap();
        let (yielded, child, nice_twice) = std::thread::spawn(move || {
            yield_to_writer();
            let yielded = has_yielded();
            let child = std::thread::spawn(|| {
                let inherited = has_yielded();
                yield_to_writer();
                (inherited, unsafe { nice_of(0) })
            });
            let (inherited, nice_twice) = child.join().unwrap();
            (yielded, inherited, nice_twice)
        })
        .join()
        .unwrap();
        assert!(yielded, "yield_to_writer lowers the calling thread");
        assert!(child, "a thread created by a yielded thread inherits its priority");
        assert_eq!(
            nice_twice,
            Some((main + NICE_BELOW_WRITER).min(19)),
            "yielding twice stays 8 below the main thread"
        );
    }
}
