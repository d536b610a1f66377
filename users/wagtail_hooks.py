"""Admin hooks for the marketing team: the content checker's rules and the editor guidance."""

from django.contrib import messages
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks
from wagtail.models import TaskState, WorkflowState

from users.content_checker import replace_content_checker


@hooks.register("construct_wagtail_userbar")
def use_clinic_content_checker(request, items, page):
    replace_content_checker(items)


@hooks.register("insert_editor_js")
def editor_guidance_assets():
    # Character counters and heading-order hints beside the fields editors type in.
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" defer></script>',
        static("pages/admin/editor-guidance.css"),
        static("pages/admin/editor-guidance.js"),
    )


@hooks.register("before_edit_page")
def show_requested_changes(request, page):
    # Wagtail e-mails the editor when a moderator requests changes, but the draft itself
    # says nothing: whoever opens it next sees what was asked, until it is submitted again.
    if request.method != "GET":
        return None
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return None
    rejected = (
        TaskState.objects.filter(workflow_state=state, status=TaskState.STATUS_REJECTED)
        .select_related("finished_by")
        .order_by("-finished_at")
        .first()
    )
    if rejected is None:
        return None
    who = rejected.finished_by
    name = (who.get_full_name() or who.get_username()) if who else "a moderator"
    when = timezone.localtime(rejected.finished_at).strftime("%-d %B %Y, %H:%M %Z")
    comment = rejected.comment.strip()
    messages.warning(
        request,
        format_html(
            "<span data-changes-requested>Changes requested by {} on {}{}: edit the draft and "
            "submit it again.</span>",
            name,
            when,
            format_html(": \u201c{}\u201d", comment) if comment else "",
        ),
    )
    return None
