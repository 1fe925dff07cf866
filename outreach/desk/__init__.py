"""The caseworker's and supervisor's desk: the work queue, the case page and its actions, the
day's calls and visits, the at-risk list, and `outreach cases`. It sits on top of the apps it
shows (casework, intake, messaging, the engine), so none of them depends on it. Its pages keep
the URL names and templates of "casework"."""
