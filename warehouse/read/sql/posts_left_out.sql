-- How many posts a post ranking's minimums leave out: the posts are industry_posts.sql run without
-- them (every post with a value, or flagged); $left_out_followers is the minimum audience (NULL
-- for none), $left_out_comments the comments a reaction multiple needs (NULL for none). A post
-- under both counts once, under followers.
SELECT
    count(*) FILTER (
        WHERE $left_out_followers IS NOT NULL AND coalesce(followers, 0) < $left_out_followers
    ) AS under_followers,
    count(*) FILTER (
        WHERE ($left_out_followers IS NULL OR coalesce(followers, 0) >= $left_out_followers)
          AND $left_out_comments IS NOT NULL
          AND reaction_multiple IS NOT NULL
          AND coalesce(comments, 0) < $left_out_comments
    ) AS under_comments
FROM ({posts}) AS ranked
