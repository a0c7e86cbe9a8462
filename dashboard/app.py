"""The dashboard's router: one st.Page per page script in dashboard/views/.

Not pages/: Streamlit takes a pages/ folder beside the main script for its old automatic
multipage app until a router has run once in the process, so the first visit after a start
(a shared link to /engagement, say) showed that folder's pages instead of the router's.
"""

import logging
from pathlib import Path

import streamlit as st

from dashboard import ui

PAGES = Path(__file__).parent / "views"

# the favicon is our own file: a ":material/...:" icon makes the browser fetch it from
# fonts.gstatic.com, and the dashboard must work without the internet
st.set_page_config(page_title="finsocial", page_icon=str(Path(__file__).parent / "logo.svg"), layout="wide")
navigation = st.navigation(
    {
        "Benchmark": [
            st.Page(
                PAGES / "league.py",
                title="League tables",
                icon=":material/leaderboard:",
                default=True,
            ),
            st.Page(
                PAGES / "engagement.py",
                title="Engagement against audience",
                icon=":material/scatter_plot:",
            ),
            st.Page(PAGES / "top_posts.py", title="Top posts", icon=":material/thumb_up:"),
            st.Page(PAGES / "peers.py", title="Peer benchmark", icon=":material/balance:"),
            st.Page(PAGES / "profile.py", title="Institution profile", icon=":material/account_balance:"),
            st.Page(PAGES / "trends.py", title="Trends", icon=":material/trending_up:"),
            st.Page(PAGES / "webcare.py", title="Webcare", icon=":material/support_agent:"),
            st.Page(PAGES / "conversation.py", title="Conversation", icon=":material/forum:"),
            st.Page(PAGES / "report.py", title="Monthly report", icon=":material/summarize:"),
            st.Page(PAGES / "practices.py", title="Practices", icon=":material/rule:"),
        ],
        "About the data": [
            st.Page(PAGES / "health.py", title="Data health", icon=":material/monitor_heart:"),
            st.Page(PAGES / "methodology.py", title="Methodology", icon=":material/menu_book:"),
        ],
    },
    # along the top, not in a sidebar: at 1280 px a sidebar took a quarter of the width, and the
    # tables beside it were cut
    position="top",
)
st.logo(str(Path(__file__).parent / "logo.svg"), size="large")
try:
    navigation.run()
except Exception:  # st.stop() and st.rerun() raise BaseExceptions, which pass through
    # Readers get a short message (.streamlit/config.toml hides tracebacks); the log keeps it all.
    logging.getLogger("dashboard").exception("page %r failed", navigation.title)
    st.error(ui.PAGE_FAILED, icon=":material/error:")
